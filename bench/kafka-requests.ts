/**
 * `npm run bench:kafka-requests`: what one small Produce request costs the broker, measured in
 * one process so that the figures hold on a shared machine: an in-process broker and a raw
 * socket client that sends pre-encoded Produce v7 requests (one 100 B record, acks=1, what a
 * librdkafka producer with linger 0 sends per message at 10k msg/s), one at a time.
 * Prints CPU per request (client included: it only writes fixed bytes and counts reply bytes),
 * bytes allocated on the JS heap per request (sampling heap profiler, collected objects
 * included) and scavenges per 10k requests. BENCH_REQUESTS sets the count (default 30000).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { Session } from 'node:inspector';
import { connect, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import { startBroker } from '../src/broker/broker';
import { loadConfig } from '../src/config/load';
import { decodeResponse, encodeRequest } from '../src/protocol/kafka/frames';
import { Produce } from '../src/protocol/kafka/messages';
import { buildRecordBatch } from '../src/protocol/kafka/record-batch-builder';
import { result } from './kafka-bench-support';

const requests = Number(process.env.BENCH_REQUESTS ?? '30000');
const TOPIC = 'bench-requests';

function produceFrame(correlationId: number): Buffer {
  const records = buildRecordBatch({ records: [{ value: Buffer.alloc(100, 'x') }], baseTimestamp: BigInt(Date.now()) });
  return Buffer.concat(encodeRequest(Produce, { requestApiKey: 0, requestApiVersion: 7, correlationId, clientId: 'rdkafka' }, {
    transactionalId: null, acks: 1, timeoutMs: 30_000,
    topicData: [{ name: TOPIC, partitionData: [{ index: 0, records }] }],
  }));
}

/** Sends `count` requests one after the other; resolves when every reply has arrived. */
function drive(socket: Socket, frame: Buffer, count: number): Promise<void> {
  return new Promise((resolve) => {
    let pendingBytes = 0;
    let sent = 0;
    let replyBytes = -1;
    const sendNext = () => {
      sent++;
      socket.write(frame);
    };
    const onData = (chunk: Buffer) => {
      pendingBytes += chunk.length;
      if (replyBytes < 0 && pendingBytes >= 4) replyBytes = chunk.readInt32BE(0) + 4;
      while (replyBytes > 0 && pendingBytes >= replyBytes) {
        pendingBytes -= replyBytes;
        if (sent === count) {
          socket.off('data', onData);
          resolve();
          return;
        }
        sendNext();
      }
    };
    socket.on('data', onData);
    sendNext();
  });
}

/** Sends one request and reports whether its reply carries a non-zero partition error code. */
function hasError(socket: Socket, frame: Buffer): Promise<boolean> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      const all = Buffer.concat(chunks);
      if (all.length < 4 || all.length < all.readInt32BE(0) + 4) return;
      socket.off('data', onData);
      const body = all.subarray(8, all.readInt32BE(0) + 4);
      const { body: response } = decodeResponse(Produce, 7, Buffer.concat([all.subarray(4, 8), body]));
      resolve(response.responses.some((t) => t.partitionResponses.some((p) => p.errorCode !== 0)));
    };
    socket.on('data', onData);
    socket.write(frame);
  });
}

async function sampledAllocationBytes<T>(run: () => Promise<T>): Promise<number> {
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object) => new Promise<any>((resolve, reject) =>
    session.post(method, params ?? {}, (err, res) => (err ? reject(err) : resolve(res))));
  await post('HeapProfiler.enable');
  await post('HeapProfiler.startSampling', { samplingInterval: 1024, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
  await run();
  const { profile } = await post('HeapProfiler.stopSampling');
  if (process.env.BENCH_HEAP_PROFILE) require('node:fs').writeFileSync(process.env.BENCH_HEAP_PROFILE, JSON.stringify(profile));
  session.disconnect();
  let bytes = 0;
  const walk = (node: { selfSize: number; children: any[] }) => {
    bytes += node.selfSize;
    for (const child of node.children) walk(child);
  };
  walk(profile.head);
  return bytes;
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-bench-requests-'));
  const config = loadConfig({ env: {}, overrides: { 'data.dir': dir, 'broker.listen': '127.0.0.1:0', 'log.level': 'silent' } });
  const broker = await startBroker(config);
  // The topic's flush policy is the broker default (interval), as in bench:kafka's latency probe.
  await broker.services.topics.create({ name: TOPIC, partitions: 1 });
  const socket = connect(broker.address.port, '127.0.0.1');
  socket.setNoDelay(true);
  await new Promise((resolve) => socket.once('connect', resolve));
  try {
    const frame = produceFrame(1);
    // Warm-up: the first requests open the partition and let the JIT compile the path.
    await drive(socket, frame, Math.min(5000, requests));
    if (await hasError(socket, frame)) throw new Error('the warm-up produce failed: the figures would measure an error path');
    let scavenges = 0;
    const gc = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) if ((entry as any).detail?.kind === 1) scavenges++;
    });
    gc.observe({ entryTypes: ['gc'] });
    const cpu = process.cpuUsage();
    await drive(socket, frame, requests);
    const used = process.cpuUsage(cpu);
    gc.disconnect();
    result('produce_request_cpu_us', (used.user + used.system) / requests, 'us');
    result('produce_request_scavenges_per_10k', (scavenges * 10_000) / requests, 'scavenges');
    const bytes = await sampledAllocationBytes(() => drive(socket, frame, requests));
    result('produce_request_heap_bytes', bytes / requests, 'bytes');
  } finally {
    socket.destroy();
    await broker.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:kafka-requests failed: ${(err as Error).stack}\n`);
  process.exitCode = 1;
});

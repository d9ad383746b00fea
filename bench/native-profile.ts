/**
 * Profiling driver for the native path alone: one broker process (under --cpu-prof when
 * BENCH_CPU_PROF=dir), native produce then consume of COUNT messages of SIZE bytes, with the CPU
 * cost per message of broker and client. Run this process with --cpu-prof to profile the client:
 *   BENCH_CPU_PROF=/tmp/prof/broker node --cpu-prof --cpu-prof-dir=/tmp/prof/client --import tsx bench/native-profile.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '../src/client';
import { cpuSeconds, freePort, result, startBrokerProcess } from './kafka-bench-support';

const count = Number(process.env.COUNT ?? '300000');
const size = Number(process.env.SIZE ?? '100');
const phases = (process.env.PHASES ?? 'produce,consume').split(',');
/** BENCH_NATIVE_PROTOCOL=1 pins the client to protocol version 1 (SEND instead of SEND_BATCH). */
const protocolVersion = process.env.BENCH_NATIVE_PROTOCOL === undefined ? undefined : Number(process.env.BENCH_NATIVE_PROTOCOL);

async function main() {
  const work = mkdtempSync(join(tmpdir(), 'tributary-native-profile-'));
  const port = await freePort();
  const broker = await startBrokerProcess(port, join(work, 'data'), { TRIBUTARY_LOG_LEVEL: 'warn', TRIBUTARY_TOPICS_FLUSH_POLICY: process.env.BENCH_FLUSH ?? 'interval' }, process.env.BENCH_CPU_PROF);
  const client = await connect({ bootstrap: `127.0.0.1:${port}`, clientName: 'profile', protocolVersion });
  const measure = async (name: string, run: () => Promise<void>) => {
    const broker0 = cpuSeconds(broker.child.pid!);
    const client0 = process.cpuUsage();
    const started = process.hrtime.bigint();
    await run();
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const used = process.cpuUsage(client0);
    result(`${name}_rate`, count / seconds, 'msg/s');
    result(`${name}_broker_cpu_us_per_msg`, ((cpuSeconds(broker.child.pid!) - broker0) * 1e6) / count, 'us');
    result(`${name}_client_cpu_us_per_msg`, (used.user + used.system) / count, 'us');
  };
  try {
    const topic = '/default/profile';
    const producer = await client.producer({ topic, lingerMs: 5, batchMessagesMax: 10_000, maxPendingMessages: 50_000 });
    const payload = Buffer.alloc(size, 'n');
    await measure('produce', async () => {
      const window = 50_000;
      const inFlight: Promise<unknown>[] = new Array(window);
      for (let i = 0; i < count; i++) {
        if (i >= window) await inFlight[i % window];
        inFlight[i % window] = producer.send(payload);
      }
      await Promise.all(inFlight);
    });
    await producer.close();
    if (phases.includes('consume')) {
      const consumer = await client.subscribe({ topic, subscription: 'profile', type: 'exclusive', initialPosition: 'earliest', receiverQueueSize: 20_000 });
      await measure('consume', async () => {
        let got = 0;
        for await (const m of consumer) {
          got++;
          if (got % 1000 === 0 || got === count) await consumer.ackCumulative(m);
          if (got === count) break;
        }
      });
      await consumer.close();
    }
  } finally {
    await client.close();
    await broker.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`native-profile failed: ${(err as Error).stack}\n`);
  process.exitCode = 1;
});

/**
 * `npm run bench:native`: one broker process; the native protocol (this package's client) and
 * the Kafka path (kcat) side by side in the same run, for 100 B and 1 KiB messages, then the
 * end-to-end latency of a Shared subscription (2 consumers) at a steady 10,000 msg/s.
 * Prints RESULT lines; BENCH_SCALE=0.1 runs a smaller version; BENCH_CPU_PROF=dir profiles the broker;
 * BENCH_FLUSH=always|interval|never sets the topics' flush policy (as bench:kafka does); BENCH_NATIVE_PROTOCOL=1
 * pins the client to protocol version 1.
 * Native produce is timed twice: `native_produce_…` is an application calling send() per message
 * (a sliding window of 50,000 receipts), `native_cli_produce_…` is `tributary produce` reading
 * kcat's input file (sendMany() in runs of 1000); each has its ratio to kcat.
 * Beside each rate it prints the CPU cost per message of the broker (`broker_cpu_us_per_msg_…`)
 * and, for native runs, of the client (`client_cpu_us_per_msg_…`): on a shared machine these
 * compare A/B far better than rates do.
 */
import { createReadStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, TributaryClient } from '../src/client';
import { CLI_PRODUCER_OPTIONS, sendLines, STDIN_FILE_READ_BYTES } from '../src/cli/produce';
import { ProgressLine } from '../src/cli/progress-line';
import {
  checkOffsetsInOrder, cpuSeconds, freePort, KCAT_CONSUME_SETTINGS, kcatSettingArgs, lastLineClock, result, startBrokerProcess, timed,
} from './kafka-bench-support';

const KCAT = '/usr/bin/kcat';
const scale = Number(process.env.BENCH_SCALE ?? '1');
const flush = process.env.BENCH_FLUSH ?? 'interval';
/** BENCH_NATIVE_PROTOCOL=1 pins the client to protocol version 1 (SEND frames instead of SEND_BATCH), for A/B runs. */
const protocolVersion = process.env.BENCH_NATIVE_PROTOCOL === undefined ? undefined : Number(process.env.BENCH_NATIVE_PROTOCOL);

async function kcatProduce(bootstrap: string, topic: string, file: string, count: number): Promise<number> {
  const { seconds } = await timed(KCAT, ['-P', '-b', bootstrap, '-t', topic, '-X', 'acks=all', '-X', 'linger.ms=5',
    '-X', 'batch.num.messages=10000', '-X', 'queue.buffering.max.kbytes=1048576', '-l', file]);
  return count / seconds;
}

/**
 * kcat consume as bench/kafka.ts runs it (same librdkafka settings): the clock stops at kcat's
 * line for the last message. kcat's piped stdout is flushed only at exit, and with `-e` alone it
 * exits only after an empty end-of-partition Fetch that the broker holds for max_wait_ms (500 ms),
 * so `-c COUNT` makes it exit (and flush) right after the last message; `-e` stays so a short
 * partition ends the run instead of hanging. Every offset 0..count-1 is checked once, in order,
 * after the clock stopped.
 */
async function kcatConsume(bootstrap: string, topic: string, count: number): Promise<number> {
  const clock = lastLineClock(count);
  const { stdout } = await timed(KCAT, ['-C', '-b', bootstrap, '-t', topic, '-o', 'beginning', '-e', '-q', '-c', String(count),
    '-f', '%o\n', ...kcatSettingArgs(KCAT_CONSUME_SETTINGS)], undefined, true, undefined, clock.onChunk);
  checkOffsetsInOrder(stdout, count, `kcat from ${topic}`);
  return count / clock.seconds();
}

async function nativeProduce(client: TributaryClient, topic: string, count: number, bytes: number): Promise<number> {
  const producer = await client.producer({ topic, lingerMs: 5, batchMessagesMax: 10_000, maxPendingMessages: 50_000 });
  const payload = Buffer.alloc(bytes, 'n');
  const window = 50_000;
  const started = process.hrtime.bigint();
  // A sliding window of receipts, like librdkafka's queue: never drain to zero between sends.
  // A ring of `window` slots, so settled receipts are garbage, as in an application.
  const inFlight: Promise<unknown>[] = new Array(window);
  for (let i = 0; i < count; i++) {
    if (i >= window) await inFlight[i % window];
    inFlight[i % window] = producer.send(payload);
  }
  await Promise.all(inFlight);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await producer.close();
  return count / seconds;
}

/**
 * `tributary produce TOPIC < file` reading the kcat input file: the command's own code path
 * (src/cli/produce.ts sendLines, Producer.sendMany in runs of 1000, one promise per run), in this
 * process so node's start-up is not timed, with the producer's lookup and creation timed as
 * kcat's connection is. kcat -P is a command reading lines; this is its native counterpart.
 */
async function nativeCliProduce(client: TributaryClient, topic: string, file: string, count: number): Promise<number> {
  const started = process.hrtime.bigint();
  const producer = await client.producer({ topic, ...CLI_PRODUCER_OPTIONS });
  const progress = new ProgressLine('produced', count);
  await sendLines(producer, createReadStream(file, { highWaterMark: STDIN_FILE_READ_BYTES }), progress);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (progress.count !== count) throw new Error(`tributary produce sent ${progress.count} of ${count} to ${topic}`);
  await producer.close();
  return count / seconds;
}

async function nativeConsume(client: TributaryClient, topic: string, count: number): Promise<number> {
  const consumer = await client.subscribe({ topic, subscription: 'bench', type: 'exclusive', initialPosition: 'earliest', receiverQueueSize: 20_000 });
  const started = process.hrtime.bigint();
  let got = 0;
  for await (const m of consumer) {
    // Every offset 0..count-1 once, in order, as kcat's run is checked.
    if (m.offset !== BigInt(got)) throw new Error(`native consume: message ${got} of ${topic} has offset ${m.offset}`);
    got++;
    if (got % 1000 === 0 || got === count) await consumer.ackCumulative(m);
    if (got === count) break;
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await consumer.close();
  return count / seconds;
}

/** Sends at `rate` msg/s for `seconds`, each payload carrying its send time; two Shared consumers ack and record latency. */
async function sharedLatency(client: TributaryClient, topic: string, rate: number, seconds: number): Promise<number[]> {
  const latencies: number[] = [];
  const total = rate * seconds;
  const consumers = await Promise.all(['l1', 'l2'].map((name) =>
    client.subscribe({ topic, subscription: 'latency', type: 'shared', name, receiverQueueSize: 1000, initialPosition: 'latest' })));
  const loops = consumers.map(async (consumer) => {
    for await (const m of consumer) {
      latencies.push(Number(process.hrtime.bigint() - m.payload.readBigInt64BE(0)) / 1e6);
      void consumer.ack(m);
      if (latencies.length >= total) break;
    }
  });
  const producer = await client.producer({ topic, lingerMs: 1 });
  const startedMs = Date.now();
  for (let i = 0; i < total; i++) {
    const dueMs = startedMs + (i * 1000) / rate;
    const waitMs = dueMs - Date.now();
    if (waitMs > 1) await new Promise((r) => setTimeout(r, waitMs));
    const payload = Buffer.alloc(100);
    payload.writeBigInt64BE(process.hrtime.bigint(), 0);
    void producer.send(payload);
  }
  await producer.flush();
  const deadline = Date.now() + 30_000;
  while (latencies.length < total && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  await Promise.all(consumers.map((c) => c.close()));
  await Promise.all(loops);
  await producer.close();
  if (latencies.length < total) throw new Error(`latency run received ${latencies.length} of ${total}`);
  return latencies.sort((a, b) => a - b);
}

/** CPU microseconds per message of the broker process (and of this client process, for native runs) over one phase. */
function costMeter(brokerPid: number, count: number) {
  return {
    async measure<T>(name: string, client: boolean, run: () => Promise<T>): Promise<T> {
      const broker0 = cpuSeconds(brokerPid);
      const client0 = process.cpuUsage();
      const value = await run();
      result(`broker_cpu_us_per_msg_${name}`, ((cpuSeconds(brokerPid) - broker0) * 1e6) / count, 'us');
      if (client) {
        const used = process.cpuUsage(client0);
        result(`client_cpu_us_per_msg_${name}`, (used.user + used.system) / count, 'us');
      }
      return value;
    },
  };
}

function writeInput(file: string, count: number, bytes: number): void {
  writeFileSync(file, `${'k'.repeat(bytes - 1)}\n`.repeat(count));
}

async function main() {
  const work = mkdtempSync(join(tmpdir(), 'tributary-native-bench-'));
  const port = await freePort();
  const bootstrap = `127.0.0.1:${port}`;
  const broker = await startBrokerProcess(port, join(work, 'data'), { TRIBUTARY_LOG_LEVEL: 'warn', TRIBUTARY_TOPICS_FLUSH_POLICY: flush }, process.env.BENCH_CPU_PROF);
  const client = await connect({ bootstrap, clientName: 'bench', protocolVersion });
  try {
    process.stdout.write(`# flush.policy=${flush} scale=${scale} protocol=${protocolVersion ?? 'newest'} loadavg1=${loadavg()[0].toFixed(2)}\n`);
    process.stdout.write(`# kcat -C -o beginning -e -c COUNT -f '%o\\n' -X ${KCAT_CONSUME_SETTINGS.join(' -X ')}\n`);
    for (const [label, count, bytes] of [['100b', Math.round(500_000 * scale), 100], ['1k', Math.round(100_000 * scale), 1024]] as const) {
      const input = join(work, `in-${label}`);
      writeInput(input, count, bytes);
      const cost = costMeter(broker.child.pid!, count);
      const kafkaProduce = await cost.measure(`kcat_produce_${label}`, false, () => kcatProduce(bootstrap, `kafka-${label}`, input, count));
      const nativeProduceRate = await cost.measure(`native_produce_${label}`, true, () => nativeProduce(client, `/default/native-${label}`, count, bytes));
      const nativeCliRate = await cost.measure(`native_cli_produce_${label}`, true, () => nativeCliProduce(client, `/default/native-cli-${label}`, input, count));
      const kafkaConsume = await cost.measure(`kcat_consume_${label}`, false, () => kcatConsume(bootstrap, `kafka-${label}`, count));
      const nativeConsumeRate = await cost.measure(`native_consume_${label}`, true, () => nativeConsume(client, `/default/native-${label}`, count));
      result(`kcat_produce_${label}`, kafkaProduce, 'msg/s');
      result(`native_produce_${label}`, nativeProduceRate, 'msg/s');
      result(`native_vs_kcat_produce_${label}`, nativeProduceRate / kafkaProduce, 'ratio');
      result(`native_cli_produce_${label}`, nativeCliRate, 'msg/s');
      result(`native_cli_vs_kcat_produce_${label}`, nativeCliRate / kafkaProduce, 'ratio');
      result(`kcat_consume_${label}`, kafkaConsume, 'msg/s');
      result(`native_consume_${label}`, nativeConsumeRate, 'msg/s');
      result(`native_vs_kcat_consume_${label}`, nativeConsumeRate / kafkaConsume, 'ratio');
    }
    const latencies = await sharedLatency(client, '/default/native-latency', 10_000, Math.max(2, Math.round(10 * scale)));
    result('native_shared_e2e_latency_p50_at_10k', latencies[Math.floor(latencies.length * 0.5)], 'ms');
    result('native_shared_e2e_latency_p99_at_10k', latencies[Math.floor(latencies.length * 0.99)], 'ms');
    process.stdout.write(`# loadavg1=${loadavg()[0].toFixed(2)} at the end\n`);
  } finally {
    await client.close();
    await broker.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:native failed: ${(err as Error).stack}\n`);
  process.exitCode = 1;
});

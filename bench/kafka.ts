/**
 * `npm run bench:kafka`: one broker process driven by kcat (librdkafka) and kafkajs on this
 * machine. 1,000,000 x 100 B and 200,000 x 1 KiB produced with acks=all, then consumed from the
 * start; produce latency at a steady 10,000 msg/s from a librdkafka probe, on a topic of the
 * BENCH_FLUSH policy and on one with flush.policy=always (`*_fsync_always`). Prints RESULT lines,
 * with the broker's and kcat's own CPU per MB (client_cpu_ms_per_mb_*) to show how the two cores
 * are shared.
 * BENCH_CPU_PROF=dir writes a CPU profile of the broker; BENCH_FLUSH=always|interval|never sets
 * the topics' flush policy; BENCH_SCALE=0.1 runs a smaller version; BENCH_ONLY=latency runs only
 * the latency probes, BENCH_ONLY=throughput only the kcat and kafkajs runs. The kcat runs repeat
 * BENCH_ROUNDS times (default 3) on fresh topics; each figure is their median, with every round
 * on a `#` line (kafka-rounds.ts).
 */
import { execFileSync } from 'node:child_process';
import { closeSync, fsyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import {
  checkOffsetsInOrder, cpuSeconds, freePort, KCAT_CONSUME_SETTINGS, kcatSettingArgs, lastLineClock, result, startBrokerProcess, timed, timedWithCpu,
} from './kafka-bench-support';
import { watchPressure } from './kafka-pressure';
import { RoundFigures } from './kafka-rounds';
import { watchWriteback, WritebackSample, writebackNow } from './kafka-writeback';

const KCAT = '/usr/bin/kcat';
const scale = Number(process.env.BENCH_SCALE ?? '1');
const flush = process.env.BENCH_FLUSH ?? 'interval';
const only = process.env.BENCH_ONLY ?? '';
const rounds = Number(process.env.BENCH_ROUNDS ?? '3');
if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`BENCH_ROUNDS must be a positive integer, not ${process.env.BENCH_ROUNDS}`);
/** Where the throughput figures go: straight out, or into the rounds (kafka-rounds.ts). */
let figure: (name: string, value: number, unit: string) => void = result;
if (!['', 'latency', 'throughput'].includes(only)) throw new Error(`BENCH_ONLY must be latency or throughput, not ${only}`);

/**
 * librdkafka settings a user after throughput would choose (docs/broker.md, "Performance"), printed
 * with the figures. Produce: acks=all as the issue asks, ~1 MB requests (librdkafka's default
 * batch.size), and a 16 MiB queue: kcat hands librdkafka each 1 KiB message in a buffer of its own,
 * freed only on delivery, so a larger queue only makes kcat touch fresh memory (page faults:
 * 100-140k against 70-95k per 200 MB). Consume: 4 MiB per partition and Fetch (librdkafka's
 * default 1 MiB holds one ~1 MB batch, so every Fetch is a round trip for one batch), and a local
 * queue large enough that librdkafka 2.0.2 never backs off its fetcher for fetch.error.backoff.ms
 * (500 ms) because queued.min.messages (100,000) was reached.
 */
const KCAT_PRODUCE_SETTINGS = ['acks=all', 'linger.ms=5', 'batch.num.messages=10000', 'queue.buffering.max.kbytes=16384'];

/**
 * kcat's input file, fsynced: left dirty, its 300 MB were written back by the kernel 30 s later
 * (dirty_expire_centisecs), in the middle of the fsync `always` probe, and every fdatasync of the
 * broker waited behind them (probe p99 47-83 ms instead of ~5).
 */
function writeInput(file: string, count: number, bytes: number): void {
  const block = Buffer.from(`${'m'.repeat(bytes)}\n`.repeat(10_000));
  const fd = openSync(file, 'w');
  try {
    for (let i = 0; i < count / 10_000; i++) writeSync(fd, block);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

async function kcatProduce(bootstrap: string, topic: string, file: string, count: number, bytes: number, name: string) {
  const { seconds, cpuSeconds: clientCpu } = await timedWithCpu(KCAT, ['-P', '-b', bootstrap, '-t', topic, ...kcatSettingArgs(KCAT_PRODUCE_SETTINGS), '-l', file]);
  report(name, count / seconds, (count * bytes) / seconds / 1e6, bytes >= 1024 ? 'MB/s' : 'msg/s');
  reportClientCpu(name, clientCpu, count * bytes);
}

/** kcat's own CPU per MB: with the broker's figure, how the two cores are shared. */
function reportClientCpu(name: string, cpuSeconds: number, bytes: number): void {
  figure(`client_cpu_ms_per_mb_${name}`, (cpuSeconds * 1000) / (bytes / 1e6), 'ms/MB');
}

/** The figure the issue names under `name` in its unit, the other one under a suffixed name. */
function report(name: string, msgsPerSecond: number, mbPerSecond: number, primary: 'MB/s' | 'msg/s'): void {
  if (primary === 'MB/s') {
    figure(name, mbPerSecond, 'MB/s');
    figure(`${name}_msgs`, msgsPerSecond, 'msg/s');
  } else {
    figure(name, msgsPerSecond, 'msg/s');
    figure(`${name}_mb`, mbPerSecond, 'MB/s');
  }
}

/**
 * Consume time runs from kcat's start to its line for the last message. kcat's stdout into a pipe
 * is fully buffered (stdio), so its last lines reach us only when it flushes at exit. With `-e`
 * alone it exits only once a Fetch comes back empty at the end of the partition, which the broker
 * holds for max_wait_ms (500 ms) as Kafka does: the last chunk came 440-460 ms after the one
 * before it, so the clock measured that wait, not the messages. `-c count` makes kcat exit (and
 * flush) right after the last message; `-e` stays so a short partition ends the run instead of
 * hanging, and the count and order checks below still see every offset. `*_until_exit` is the
 * rate until kcat's exit.
 */
async function kcatConsume(bootstrap: string, topic: string, count: number, bytes: number, name: string) {
  const clock = lastLineClock(count);
  const { seconds: untilExit, stdout, cpuSeconds: clientCpu } = await timedWithCpu(KCAT, ['-C', '-b', bootstrap, '-t', topic, '-o', 'beginning', '-e', '-q',
    '-c', String(count), '-f', '%o\n', ...kcatSettingArgs(KCAT_CONSUME_SETTINGS)], true, clock.onChunk);
  const seconds = clock.seconds();
  checkOffsetsInOrder(stdout, count, name);
  report(name, count / seconds, (count * bytes) / seconds / 1e6, 'msg/s');
  figure(`${name}_until_exit`, count / untilExit, 'msg/s');
  reportClientCpu(name, clientCpu, count * bytes);
}

async function kafkajsProduce(bootstrap: string, topic: string, count: number, bytes: number) {
  const kafka = new Kafka({ clientId: 'bench', brokers: [bootstrap], logLevel: logLevel.NOTHING });
  const producer = kafka.producer();
  await producer.connect();
  const value = Buffer.alloc(bytes, 'k');
  const perSend = 1000;
  const concurrency = 8;
  const started = process.hrtime.bigint();
  let sent = 0;
  const worker = async () => {
    while (sent < count) {
      const n = Math.min(perSend, count - sent);
      sent += n;
      await producer.send({ topic, acks: -1, messages: Array.from({ length: n }, () => ({ value })) });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await producer.disconnect();
  report('kafkajs_produce_1k', count / seconds, (count * bytes) / seconds / 1e6, 'MB/s');
}

const PROBE_RATE = 10_000;

/** Produce latency at a steady 10k msg/s; `suffix` names the figures ('' or '_fsync_always'). */
async function latencyProbe(bootstrap: string, topic: string, seconds: number, suffix: string | null, brokerPid: number) {
  const before = cpuSeconds(brokerPid);
  const atStart = writebackNow();
  const stopWatching = watchWriteback();
  const pressure = watchPressure();
  let stdout: string;
  let peak: WritebackSample;
  try {
    ({ stdout } = await timed('/usr/bin/python3', [join(__dirname, 'kafka-latency-probe.py'), bootstrap, topic, String(PROBE_RATE),
      String(seconds)], undefined, true));
  } finally {
    peak = stopWatching();
  }
  const stalled = pressure();
  const probe = JSON.parse(stdout) as { p50: number; p99: number; max: number; rate: number; errors: number; count: number; settings: object;
    rtt_p99: number; int_latency_p99: number; send_lag_p99: number; produce_requests: number };
  if (probe.errors > 0) throw new Error(`latency probe saw ${probe.errors} errors`);
  if (suffix === null) return;
  if (suffix === '') process.stdout.write(`# latency probe (confluent-kafka on librdkafka 2.0.2): ${JSON.stringify(probe.settings)}, one message flushed before the clock starts\n`);
  result(`produce_rate_at_10k${suffix}`, probe.rate, 'msg/s');
  result(`produce_p50_at_10k${suffix}`, probe.p50, 'ms');
  result(`produce_p99_at_10k${suffix}`, probe.p99, 'ms');
  // The worst single message: a max far above p99 is one stall, not the steady rate (docs/broker.md).
  result(`produce_max_at_10k${suffix}`, probe.max, 'ms');
  // librdkafka's own view, median of its per-second p99s (kafka-latency-probe.py): request round trip,
  // and produce() until its broker thread took the message. The rest of the probe's figure is the client's.
  result(`librdkafka_rtt_p99_at_10k${suffix}`, probe.rtt_p99, 'ms');
  result(`librdkafka_queue_p99_at_10k${suffix}`, probe.int_latency_p99, 'ms');
  // How late the probe's own thread sent against its 100 us slots: its wait for a core.
  result(`probe_send_lag_p99_at_10k${suffix}`, probe.send_lag_p99, 'ms');
  // With linger 0 each message is its own request only while librdkafka's thread gets a core at
  // once: on this VM it sent 2-3.6 messages per request, fewer requests (and broker work) per
  // message the busier the machine. Per message and per request are both printed.
  const brokerCpuUs = (cpuSeconds(brokerPid) - before) * 1e6;
  result(`broker_cpu_us_per_msg_at_10k${suffix}`, brokerCpuUs / probe.count, 'us');
  result(`produce_requests_at_10k${suffix}`, probe.produce_requests, 'requests');
  result(`broker_cpu_us_per_request_at_10k${suffix}`, brokerCpuUs / probe.produce_requests, 'us');
  // The machine's dirty pages: kernel writeback delays fdatasync (kafka-writeback.ts).
  result(`dirty_mb_at_probe_start${suffix}`, atStart.dirtyMb, 'MB');
  result(`dirty_mb_max_during_probe${suffix}`, peak.dirtyMb, 'MB');
  result(`writeback_mb_max_during_probe${suffix}`, peak.writebackMb, 'MB');
  // The share of the probe's time some task waited for a core / for I/O (kafka-pressure.ts).
  result(`cpu_pressure_pct_during_probe${suffix}`, stalled.cpu * 100, '%');
  result(`io_pressure_pct_during_probe${suffix}`, stalled.io * 100, '%');
}

/**
 * Each phase is measured on its own: before the latency probes, dirty pages that earlier phases
 * or other processes left (the broker's interval-policy topics are fsynced every 100 ms, kcat's
 * input files at creation) are written back, so the kernel's 30 s writeback does not fall inside
 * a probe. The probes themselves run with nothing synced for them.
 */
function syncBeforeProbes(): void {
  const started = process.hrtime.bigint();
  const dirty = writebackNow().dirtyMb;
  execFileSync('/bin/sync');
  process.stdout.write(`# sync before the latency probes: ${dirty.toFixed(1)} MB dirty, ${(Number(process.hrtime.bigint() - started) / 1e6).toFixed(0)} ms\n`);
}

/** A topic whose appends are acknowledged only after the fdatasync covering them, whatever BENCH_FLUSH says. */
async function createFsyncAlwaysTopic(bootstrap: string, topic: string): Promise<void> {
  const admin = new Kafka({ clientId: 'bench-admin', brokers: [bootstrap], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions: 1, configEntries: [{ name: 'flush.policy', value: 'always' }] }] });
  } finally {
    await admin.disconnect();
  }
}

/** Warm-up run first for each topic: the first seconds include topic creation and JIT compilation. */
async function latencyProbes(bootstrap: string, pid: number): Promise<void> {
  syncBeforeProbes();
  const probeSeconds = Math.max(3, 10 * scale);
  await latencyProbe(bootstrap, 'bench-latency', 1, null, pid);
  await latencyProbe(bootstrap, 'bench-latency', probeSeconds, '', pid);
  await createFsyncAlwaysTopic(bootstrap, 'bench-latency-fsync-always');
  await latencyProbe(bootstrap, 'bench-latency-fsync-always', 1, null, pid);
  await latencyProbe(bootstrap, 'bench-latency-fsync-always', probeSeconds, '_fsync_always', pid);
}

async function main() {
  const work = mkdtempSync(join(tmpdir(), 'tributary-bench-'));
  const port = await freePort();
  const bootstrap = `127.0.0.1:${port}`;
  const small = Math.round(1_000_000 * scale);
  const large = Math.round(200_000 * scale);
  if (only !== 'latency') {
    writeInput(join(work, 'in-100b'), small, 100);
    writeInput(join(work, 'in-1k'), large, 1024);
  }
  const broker = await startBrokerProcess(port, join(work, 'data'), {
    TRIBUTARY_LOG_LEVEL: 'warn', TRIBUTARY_TOPICS_FLUSH_POLICY: flush,
  }, process.env.BENCH_CPU_PROF);
  try {
    // The machine's load next to the figures: on 2 shared cores it decides more than the code does.
    process.stdout.write(`# flush.policy=${flush} scale=${scale} loadavg1=${loadavg()[0].toFixed(2)}\n`);
    if (only !== 'latency') {
      process.stdout.write(`# kcat -P (input -l FILE, one message per line) -X ${KCAT_PRODUCE_SETTINGS.join(' -X ')}\n`);
      process.stdout.write(`# kcat -C -o beginning -e -c COUNT -f '%o\\n' -X ${KCAT_CONSUME_SETTINGS.join(' -X ')}\n`);
    }
    const pid = broker.child.pid!;
    // Broker CPU per MB moved: what the broker costs, apart from the clients sharing its 2 cores.
    const phase = async (name: string, mb: number, run: () => Promise<void>) => {
      const before = cpuSeconds(pid);
      const markCompactsBefore = broker.markCompacts();
      await run();
      figure(`broker_cpu_ms_per_mb_${name}`, ((cpuSeconds(pid) - before) * 1000) / mb, 'ms/MB');
      figure(`broker_mark_compacts_${name}`, broker.markCompacts() - markCompactsBefore, 'count');
    };
    const mbLarge = (large * 1024) / 1e6;
    const mbSmall = (small * 100) / 1e6;
    if (only !== 'latency') {
      const figures = new RoundFigures();
      figure = (name, value, unit) => figures.add(name, value, unit);
      for (let round = 1; round <= rounds; round++) {
        const t = (base: string) => (round === 1 ? base : `${base}-r${round}`);
        await phase('kcat_produce_1k', mbLarge, () => kcatProduce(bootstrap, t('bench-1k'), join(work, 'in-1k'), large, 1024, 'kcat_produce_1k'));
        await phase('kcat_produce_100b', mbSmall, () => kcatProduce(bootstrap, t('bench-100b'), join(work, 'in-100b'), small, 100, 'kcat_produce_100b'));
        await phase('kcat_consume_100b', mbSmall, () => kcatConsume(bootstrap, t('bench-100b'), small, 100, 'kcat_consume_100b'));
        await phase('kcat_consume_1k', mbLarge, () => kcatConsume(bootstrap, t('bench-1k'), large, 1024, 'kcat_consume_1k'));
      }
      // The "consume >= produce" for 100 B, taken within each round (same broker state).
      const consumed = figures.rounds('kcat_consume_100b');
      figures.rounds('kcat_produce_100b').forEach((produced, i) => figures.add('kcat_consume_vs_produce_100b', consumed[i] / produced, 'x'));
      figures.print();
      figure = result;
      await phase('kafkajs_produce_1k', mbLarge, () => kafkajsProduce(bootstrap, 'bench-js-1k', large, 1024));
    }
    if (only !== 'throughput') await latencyProbes(bootstrap, pid);
    process.stdout.write(`# loadavg1=${loadavg()[0].toFixed(2)} at the end\n`);
  } finally {
    await broker.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:kafka failed: ${(err as Error).stack}\n`);
  process.exitCode = 1;
});

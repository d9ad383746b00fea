/**
 * `npm run bench:kafka`: one broker process driven by kcat (librdkafka) and kafkajs on this
 * machine. 1,000,000 x 100 B and 200,000 x 1 KiB produced with acks=all, then consumed from the
 * start; produce latency at a steady 10,000 msg/s from a librdkafka probe. Prints RESULT lines.
 * BENCH_CPU_PROF=dir writes a CPU profile of the broker; BENCH_FLUSH=always|interval|never sets
 * the topics' flush policy; BENCH_SCALE=0.1 runs a smaller version.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { cpuSeconds, freePort, result, startBrokerProcess, timed } from './kafka-bench-support';

const KCAT = '/usr/bin/kcat';
const scale = Number(process.env.BENCH_SCALE ?? '1');
const flush = process.env.BENCH_FLUSH ?? 'interval';

function writeInput(file: string, count: number, bytes: number): void {
  const line = `${'m'.repeat(bytes)}\n`;
  const block = line.repeat(10_000);
  const parts: string[] = [];
  for (let i = 0; i < count / 10_000; i++) parts.push(block);
  writeFileSync(file, parts.join(''));
}

async function kcatProduce(bootstrap: string, topic: string, file: string, count: number, bytes: number, name: string) {
  const { seconds } = await timed(KCAT, ['-P', '-b', bootstrap, '-t', topic, '-X', 'acks=all', '-X', 'linger.ms=5',
    '-X', 'batch.num.messages=10000', '-X', 'queue.buffering.max.kbytes=1048576', '-l', file]);
  report(name, count / seconds, (count * bytes) / seconds / 1e6, bytes >= 1024 ? 'MB/s' : 'msg/s');
}

/** The figure the issue names under `name` in its unit, the other one under a suffixed name. */
function report(name: string, msgsPerSecond: number, mbPerSecond: number, primary: 'MB/s' | 'msg/s'): void {
  if (primary === 'MB/s') {
    result(name, mbPerSecond, 'MB/s');
    result(`${name}_msgs`, msgsPerSecond, 'msg/s');
  } else {
    result(name, msgsPerSecond, 'msg/s');
    result(`${name}_mb`, mbPerSecond, 'MB/s');
  }
}

async function kcatConsume(bootstrap: string, topic: string, count: number, bytes: number, name: string) {
  const { seconds, stdout } = await timed(KCAT, ['-C', '-b', bootstrap, '-t', topic, '-o', 'beginning', '-e', '-q',
    '-f', '%o\n', '-X', 'fetch.max.bytes=52428800'], undefined, true);
  const got = stdout.length === 0 ? 0 : stdout.trimEnd().split('\n').length;
  if (got !== count) throw new Error(`${name}: consumed ${got} of ${count}`);
  report(name, count / seconds, (count * bytes) / seconds / 1e6, 'msg/s');
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

async function latencyProbe(bootstrap: string, topic: string, seconds: number, report: boolean) {
  const { stdout } = await timed('/usr/bin/python3', [join(__dirname, 'kafka-latency-probe.py'), bootstrap, topic, '10000',
    String(seconds)], undefined, true);
  const probe = JSON.parse(stdout) as { p50: number; p99: number; rate: number; errors: number };
  if (probe.errors > 0) throw new Error(`latency probe saw ${probe.errors} errors`);
  if (!report) return;
  result('produce_rate_at_10k', probe.rate, 'msg/s');
  result('produce_p50_at_10k', probe.p50, 'ms');
  result('produce_p99_at_10k', probe.p99, 'ms');
}

async function main() {
  const work = mkdtempSync(join(tmpdir(), 'tributary-bench-'));
  const port = await freePort();
  const bootstrap = `127.0.0.1:${port}`;
  const small = Math.round(1_000_000 * scale);
  const large = Math.round(200_000 * scale);
  writeInput(join(work, 'in-100b'), small, 100);
  writeInput(join(work, 'in-1k'), large, 1024);
  const broker = await startBrokerProcess(port, join(work, 'data'), {
    TRIBUTARY_LOG_LEVEL: 'warn', TRIBUTARY_TOPICS_FLUSH_POLICY: flush,
  }, process.env.BENCH_CPU_PROF);
  try {
    process.stdout.write(`# flush.policy=${flush} scale=${scale}\n`);
    const pid = broker.child.pid!;
    // Broker CPU per MB moved: what the broker costs, apart from the clients sharing its 2 cores.
    const phase = async (name: string, mb: number, run: () => Promise<void>) => {
      const before = cpuSeconds(pid);
      await run();
      result(`broker_cpu_ms_per_mb_${name}`, ((cpuSeconds(pid) - before) * 1000) / mb, 'ms/MB');
    };
    const mbLarge = (large * 1024) / 1e6;
    const mbSmall = (small * 100) / 1e6;
    await phase('kcat_produce_1k', mbLarge, () => kcatProduce(bootstrap, 'bench-1k', join(work, 'in-1k'), large, 1024, 'kcat_produce_1k'));
    await phase('kcat_produce_100b', mbSmall, () => kcatProduce(bootstrap, 'bench-100b', join(work, 'in-100b'), small, 100, 'kcat_produce_100b'));
    await phase('kcat_consume_100b', mbSmall, () => kcatConsume(bootstrap, 'bench-100b', small, 100, 'kcat_consume_100b'));
    await phase('kcat_consume_1k', mbLarge, () => kcatConsume(bootstrap, 'bench-1k', large, 1024, 'kcat_consume_1k'));
    await phase('kafkajs_produce_1k', mbLarge, () => kafkajsProduce(bootstrap, 'bench-js-1k', large, 1024));
    // Warm-up run first: the first seconds include topic creation and JIT compilation.
    await latencyProbe(bootstrap, 'bench-latency', 1, false);
    await latencyProbe(bootstrap, 'bench-latency', Math.max(3, 10 * scale), true);
  } finally {
    await broker.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:kafka failed: ${(err as Error).stack}\n`);
  process.exitCode = 1;
});

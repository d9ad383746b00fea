/**
 * `npm run bench:wal`: the WAL's append path on this machine, beside the raw disk rate measured
 * in the same run. For 1 KiB and 16 KiB batches, with fsync `always` and `interval`, 64
 * concurrent appenders on one partition log: appends/s, MB/s, p50/p99 append latency, CPU per MB
 * (the whole process: appenders, event loop and thread pool) and, for `always`, fdatasyncs per MiB
 * and the share of the time an fdatasync ran.
 * The raw disk rate: sequential 1 MiB writes with an fdatasync after each. The scenario
 * `wal_fsync_always_16k_tail_reader` adds a consumer at the tail, so the tail cache is filled.
 * BENCH_SECONDS sets each measurement's duration (default 1.5), BENCH_ROUNDS the rounds (default 3),
 * BENCH_DIR the directory (default the OS temp dir); BENCH_PAGE_POOL=0 turns the page pool off;
 * BENCH_ONLY=ratio runs only the disk and fsync always 16 KiB measurements (for A/B runs);
 * BENCH_PREALLOCATE=0 lets segment files grow with each append instead of preallocating them.
 *
 * Both sides write under the same conditions: each measurement appends to new files in a
 * directory of its own (same file system, no pre-allocation), removed right after it; the
 * measurements of the ratio start right after the page pool is released (see PagePool).
 * Earlier versions let the disk measurement truncate and rewrite its previous file, which
 * hands it page-cache memory freed a moment ago, while the WAL wrote into memory the VM had
 * given back to its host (2-4x slower to write here): the ratio measured that, not the WAL.
 */
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { LogManager } from '../src/storage/log-manager';
import { FRAME_HEADER_BYTES } from '../src/storage/wal/frame';
import type { FsyncPolicy, RecoverableBatchFormat } from '../src/storage/partition-log';
import { measureFresh, PagePool } from './page-pool';

const SECONDS = Number(process.env.BENCH_SECONDS ?? '1.5');
/** Segments preallocated as the broker's topics are by default (topics.preallocate); BENCH_PREALLOCATE=0 lets files grow. */
const PREALLOCATE = process.env.BENCH_PREALLOCATE !== '0';
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? '3');
const APPENDERS = 64;
const MIB = 1024 * 1024;

/** Batches as the broker stores them: a 20-byte header the log reads (base offset, count, max timestamp). */
const benchFormat: RecoverableBatchFormat = {
  setBaseOffset: (batch, base) => { batch.writeBigInt64BE(base, 0); },
  recordCount: (batch) => batch.readInt32BE(8),
  maxTimestampMs: (batch) => batch.readBigInt64BE(12),
};

function result(name: string, value: number, unit: string): void {
  const digits = value >= 100 ? 0 : value >= 1 ? 2 : 4;
  console.log(`RESULT ${name} ${value.toFixed(digits)} ${unit}`);
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

interface WalFigures {
  appendsPerSecond: number;
  mbPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  fdatasyncsPerMib: number;
  /** Share of the elapsed time an fdatasync of the sync stage ran (fsync always). */
  syncBusyShare: number;
  /** CPU of the whole process (appenders, event loop, thread pool; user + system) per MB appended. */
  cpuMsPerMb: number;
  bytesWritten: number;
}

/**
 * `tailReader`: a consumer polls the tail every 50 ms, so the tail cache keeps every batch (with
 * no reader the cache takes nothing, see src/storage/tail-cache.ts).
 */
async function benchWal(dir: string, policy: FsyncPolicy, batchBytes: number, tailReader = false): Promise<WalFigures> {
  const manager = new LogManager({ dataDir: dir, logger: pino({ level: 'silent' }) });
  const log = await manager.open(`bench-${policy}-${batchBytes}`, 0, {
    fsyncPolicy: policy, fsyncIntervalMs: 100, segmentBytes: 128 * MIB, segmentMs: 7 * 24 * 3600_000,
    retentionBytes: -1, retentionMs: -1, batchFormat: benchFormat, preallocate: PREALLOCATE,
  });
  const template = Buffer.alloc(batchBytes, 0x61);
  template.writeInt32BE(10, 8);
  template.writeBigInt64BE(BigInt(Date.now()), 12);
  const latenciesMs: number[] = [];
  let appends = 0;
  const cpuBefore = process.cpuUsage();
  const started = process.hrtime.bigint();
  const deadline = started + BigInt(SECONDS * 1e9);
  const poll = tailReader ? setInterval(() => void log.read(log.highWatermark(), 1), 50) : null;
  if (tailReader) await log.read(log.highWatermark(), 1);
  await Promise.all(Array.from({ length: APPENDERS }, async () => {
    while (process.hrtime.bigint() < deadline) {
      const batch = Buffer.allocUnsafe(batchBytes);
      template.copy(batch);
      const t0 = process.hrtime.bigint();
      await log.append({ batch, recordCount: 10, maxTimestampMs: benchFormat.maxTimestampMs(batch) });
      latenciesMs.push(Number(process.hrtime.bigint() - t0) / 1e6);
      appends++;
    }
  }));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = process.cpuUsage(cpuBefore);
  if (poll) clearInterval(poll);
  const { syncs, syncMs } = log.stats;
  await manager.close();
  latenciesMs.sort((a, b) => a - b);
  return {
    appendsPerSecond: appends / seconds,
    mbPerSecond: (appends * batchBytes) / seconds / 1e6,
    p50Ms: percentile(latenciesMs, 0.5),
    p99Ms: percentile(latenciesMs, 0.99),
    fdatasyncsPerMib: syncs / ((appends * batchBytes) / MIB),
    syncBusyShare: syncMs / (seconds * 1000),
    cpuMsPerMb: (cpu.user + cpu.system) / 1000 / ((appends * batchBytes) / 1e6),
    bytesWritten: appends * (batchBytes + FRAME_HEADER_BYTES),
  };
}

/** Sequential 1 MiB writes, each followed by an fdatasync: the disk's rate for durable writes. */
async function benchDisk(dir: string): Promise<{ mbPerSecond: number; cpuMsPerMb: number; bytesWritten: number }> {
  const handle = await open(join(dir, 'raw-disk'), 'w');
  const block = Buffer.alloc(MIB, 0x62);
  let bytes = 0;
  const cpuBefore = process.cpuUsage();
  const started = process.hrtime.bigint();
  const deadline = started + BigInt(SECONDS * 1e9);
  while (process.hrtime.bigint() < deadline) {
    await handle.write(block, 0, MIB, bytes);
    await handle.datasync();
    bytes += MIB;
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = process.cpuUsage(cpuBefore);
  await handle.close();
  return { mbPerSecond: bytes / seconds / 1e6, cpuMsPerMb: (cpu.user + cpu.system) / 1000 / (bytes / 1e6), bytesWritten: bytes };
}

/** fsync always 16 KiB comes first: its ratio uses the disk measured right before and right after it. */
const ALL_SCENARIOS = [['always', '16k', 16 * 1024], ['always', '1k', 1024], ['interval', '1k', 1024], ['interval', '16k', 16 * 1024]] as const;
/** BENCH_ONLY=ratio measures only what the ratio needs (disk, fsync always 16 KiB): quicker A/B runs. */
const RATIO_ONLY = process.env.BENCH_ONLY === 'ratio';
const SCENARIOS = RATIO_ONLY ? ALL_SCENARIOS.slice(0, 1) : ALL_SCENARIOS;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/**
 * The disk on a shared machine changes speed from second to second, so the disk rate and the
 * WAL scenarios are measured in interleaved rounds and each figure is the median over rounds;
 * the ratio is the median of the per-round ratios, each against the mean of the disk rates
 * measured right before and right after the WAL run.
 */
async function main(): Promise<void> {
  const root = await mkdtemp(join(process.env.BENCH_DIR ?? tmpdir(), 'tributary-bench-wal-'));
  // The pool starts larger than the disk writes in BENCH_SECONDS at 800 MB/s.
  const pool = new PagePool(root, Math.ceil(SECONDS * 800) * MIB);
  try {
    const disk: number[] = [];
    const diskCpu: number[] = [];
    const ratios: number[] = [];
    const figures = new Map<string, WalFigures[]>();
    const record = (name: string, f: WalFigures) => figures.set(name, [...(figures.get(name) ?? []), f]);
    await pool.hold();
    for (let round = 0; round < ROUNDS; round++) {
      const before = await measureFresh(root, benchDisk, pool);
      const diskBefore = before.mbPerSecond;
      diskCpu.push(before.cpuMsPerMb);
      for (const [policy, label, bytes] of SCENARIOS) {
        const ratioScenario = policy === 'always' && label === '16k';
        const f = await measureFresh(root, (dir) => benchWal(dir, policy, bytes), ratioScenario ? pool : undefined);
        record(`wal_fsync_${policy}_${label}`, f);
        if (ratioScenario) {
          const diskAfter = (await measureFresh(root, benchDisk, pool)).mbPerSecond;
          disk.push(diskBefore, diskAfter);
          ratios.push(f.mbPerSecond / ((diskBefore + diskAfter) / 2));
        }
      }
      if (!RATIO_ONLY) record('wal_fsync_always_16k_tail_reader', await measureFresh(root, (dir) => benchWal(dir, 'always', 16 * 1024, true)));
    }
    result('disk_fdatasync_per_mib', median(disk), 'MB/s');
    result('disk_fdatasync_per_mib_cpu_ms_per_mb', median(diskCpu), 'ms/MB');
    for (const [name, runs] of figures) {
      result(`${name}_appends`, median(runs.map((f) => f.appendsPerSecond)), 'appends/s');
      result(`${name}_mbps`, median(runs.map((f) => f.mbPerSecond)), 'MB/s');
      result(`${name}_p50_ms`, median(runs.map((f) => f.p50Ms)), 'ms');
      result(`${name}_p99_ms`, median(runs.map((f) => f.p99Ms)), 'ms');
      result(`${name}_cpu_ms_per_mb`, median(runs.map((f) => f.cpuMsPerMb)), 'ms/MB');
      if (name.startsWith('wal_fsync_always')) {
        result(`${name}_fdatasyncs_per_mib`, median(runs.map((f) => f.fdatasyncsPerMib)), 'fdatasyncs/MiB');
        result(`${name}_sync_busy_share`, median(runs.map((f) => f.syncBusyShare)), 'x');
      }
    }
    result('wal_fsync_always_16k_vs_disk', median(ratios), 'x');
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

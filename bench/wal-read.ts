/**
 * `npm run bench:wal-read`: the CPU cost of cold WAL reads (from segment files, no tail cache),
 * as a consumer that is behind makes them: the whole log read front to back in reads of
 * BENCH_READ_BYTES (default 1 MiB, a librdkafka partition fetch). For batches of 100 B, 16 KiB
 * and 1,000,000 B (librdkafka's batch.size, a kcat produce of 100 B messages): CPU per MB served
 * (the whole process, user + system), bytes read from the files per byte served, and frame
 * CRCs computed per batch served.
 *
 * The segments are written straight to files (frames as the WAL writes them) and opened with the
 * WAL, so they sit in the page cache like data a broker wrote a moment ago. BENCH_MB sets the
 * size of each log (default 256), BENCH_ROUNDS the rounds (default 3, medians reported),
 * BENCH_DIR the directory (default the OS temp dir), BENCH_ONLY one batch size by name (100b,
 * 16k, 1m).
 */
import { mkdir, mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { LogManager } from '../src/storage/log-manager';
import { encodeFrameHeader } from '../src/storage/wal/frame';
import type { RecoverableBatchFormat } from '../src/storage/partition-log';

const TOTAL_MB = Number(process.env.BENCH_MB ?? '256');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? '3');
const READ_BYTES = Number(process.env.BENCH_READ_BYTES ?? String(1024 * 1024));
const SEGMENT_BYTES = 64 * 1024 * 1024;
const MB = 1e6;

/** Batches as the broker stores them: a 20-byte header the log reads (base offset, count, max timestamp). */
const benchFormat: RecoverableBatchFormat = {
  setBaseOffset: (batch, base) => { batch.writeBigInt64BE(base, 0); },
  recordCount: (batch) => batch.readInt32BE(8),
  maxTimestampMs: (batch) => batch.readBigInt64BE(12),
};

const SCENARIOS = [
  { name: '100b', batchBytes: 100, recordCount: 1 },
  { name: '16k', batchBytes: 16 * 1024, recordCount: 160 },
  { name: '1m', batchBytes: 1_000_000, recordCount: 10_000 },
];

interface ReadFigures {
  cpuMsPerMb: number;
  fileBytesPerByte: number;
  crcsPerBatch: number;
}

/** Counts what the reads do: bytes preaded from segment files and frame CRCs computed. */
const counters = { fileBytes: 0, crcs: 0 };

async function instrument(): Promise<void> {
  const probe = await open(__filename, 'r');
  const proto = Object.getPrototypeOf(probe) as { read: (...args: unknown[]) => Promise<{ bytesRead: number }> };
  await probe.close();
  const read = proto.read;
  proto.read = async function (this: unknown, ...args: unknown[]) {
    const r = await read.apply(this, args);
    counters.fileBytes += r.bytesRead;
    return r;
  };
  // The frame CRC goes through @node-rs/crc32's crc32 (frame.ts): count its calls on batches.
  const crcModule = require('@node-rs/crc32') as { crc32: (b: Buffer, init?: number) => number };
  const crc32 = crcModule.crc32;
  crcModule.crc32 = (b: Buffer, init?: number) => {
    if (b.length > 12) counters.crcs++;
    return crc32(b, init);
  };
}

/** Writes segment files holding about TOTAL_MB of batches of the scenario's size. */
async function writeLog(dir: string, batchBytes: number, recordCount: number): Promise<void> {
  const batches = Math.ceil((TOTAL_MB * MB) / batchBytes);
  let offset = 0n;
  let written = 0;
  while (written < batches) {
    const file = await open(join(dir, `${offset.toString().padStart(20, '0')}.log`), 'w');
    const parts: Buffer[] = [];
    let bytes = 0;
    while (written < batches && bytes + batchBytes + 16 <= SEGMENT_BYTES) {
      const batch = Buffer.alloc(batchBytes, written & 0xff);
      batch.writeBigInt64BE(offset, 0);
      batch.writeInt32BE(recordCount, 8);
      batch.writeBigInt64BE(1_700_000_000_000n, 12);
      parts.push(encodeFrameHeader(offset, batch), batch);
      bytes += batchBytes + 16;
      offset += BigInt(recordCount);
      written++;
    }
    await file.writev(parts);
    await file.close();
  }
}

async function measure(root: string, scenario: (typeof SCENARIOS)[number]): Promise<ReadFigures> {
  const dataDir = await mkdtemp(join(root, `wal-read-${scenario.name}-`));
  const manager = new LogManager({ dataDir, tailCacheBytes: 0, logger: pino({ level: 'silent' }) });
  try {
    await mkdir(manager.partitionDir('bench', 0), { recursive: true });
    await writeLog(manager.partitionDir('bench', 0), scenario.batchBytes, scenario.recordCount);
    const log = await manager.open('bench', 0, {
      fsyncPolicy: 'never', fsyncIntervalMs: 1000, segmentBytes: SEGMENT_BYTES, segmentMs: 7 * 24 * 3600_000,
      retentionBytes: -1, retentionMs: -1, batchFormat: benchFormat,
    });
    const end = log.highWatermark();
    counters.fileBytes = 0;
    counters.crcs = 0;
    let served = 0;
    let batches = 0;
    const cpu = process.cpuUsage();
    for (let offset = log.logStartOffset(); offset < end;) {
      const r = await log.read(offset, READ_BYTES);
      served += r.bytes;
      batches += r.chunks.length;
      offset = r.nextOffset;
    }
    const used = process.cpuUsage(cpu);
    return {
      cpuMsPerMb: (used.user + used.system) / 1000 / (served / MB),
      fileBytesPerByte: counters.fileBytes / served,
      crcsPerBatch: counters.crcs / batches,
    };
  } finally {
    await manager.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function result(name: string, value: number, unit: string): void {
  console.log(`RESULT ${name} ${value.toFixed(value >= 100 ? 0 : 3)} ${unit}`);
}

async function main(): Promise<void> {
  await instrument();
  const root = process.env.BENCH_DIR ?? tmpdir();
  const scenarios = SCENARIOS.filter((s) => !process.env.BENCH_ONLY || s.name === process.env.BENCH_ONLY);
  const figures = new Map<string, ReadFigures[]>(scenarios.map((s) => [s.name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const s of scenarios) figures.get(s.name)!.push(await measure(root, s));
  }
  for (const s of scenarios) {
    const runs = figures.get(s.name)!;
    result(`wal_read_${s.name}_cpu_ms_per_mb`, median(runs.map((r) => r.cpuMsPerMb)), 'ms/MB');
    console.log(`# wal_read_${s.name}_cpu_ms_per_mb rounds: ${runs.map((r) => r.cpuMsPerMb.toFixed(3)).join(' ')}`);
    result(`wal_read_${s.name}_file_bytes_per_byte`, median(runs.map((r) => r.fileBytesPerByte)), 'bytes');
    result(`wal_read_${s.name}_crcs_per_batch`, median(runs.map((r) => r.crcsPerBatch)), 'crcs');
  }
}

void main();

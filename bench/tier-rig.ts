/**
 * What the parts of `npm run bench:tier` share: the storage engine as the broker builds it
 * (LogManager WAL, ObjectTier on a real embedded MetadataStore and an opendal backend), the
 * batches, the RESULT line and the CPU clocks.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { EmbeddedMetadataStore } from '../src/coordination/embedded/embedded-store';
import { clusterKeys } from '../src/coordination/keys';
import { LogManager } from '../src/storage/log-manager';
import type { PartitionLog, RecoverableBatchFormat } from '../src/storage/partition-log';
import type { ObjectStoreConfig } from '../src/storage/objects/object-store-config';
import { OpendalObjectStore } from '../src/storage/objects/opendal-store';
import { ObjectTier } from '../src/storage/tier/object-tier';
import { openTieredLog } from '../src/storage/tier/open-tiered-log';
import type { Durability } from '../src/storage/tier/tiered-partition-log';
import type { WalLogConfig } from '../src/storage/wal/wal-config';

export const PARTITIONS = 8;
export const BATCH_BYTES = 16 * 1024;
export const MIB = 1024 * 1024;
/** Object stores the produce and upload parts measure (BENCH_TIER_STORES, default `memory,fs`): one for quicker A/B runs. */
export const STORES: readonly string[] = (process.env.BENCH_TIER_STORES ?? 'memory,fs').split(',').filter((name) => name === 'memory' || name === 'fs');
/**
 * The upload part also takes `azurite` and `s3rver` (BENCH_TIER_STORES=azurite,s3rver; not by
 * default): each server is started once on loopback, and what it costs runs in its own process,
 * so the figures are the broker's side of an upload to a remote store (its rate is the server's).
 */
export const UPLOAD_STORES: readonly string[] = (process.env.BENCH_TIER_STORES ?? 'memory,fs').split(',').filter((name) => ['memory', 'fs', 'azurite', 's3rver'].includes(name));

/**
 * BENCH_TIER_UPLOAD_NICE: the tier's uploadNice (tier.uploadNice; default TIER_LIMITS.uploadNiceDefault;
 * 0 = off: the uploads' reads on the event loop and the libuv pool).
 */
const UPLOAD_NICE = process.env.BENCH_TIER_UPLOAD_NICE === undefined ? undefined : Number(process.env.BENCH_TIER_UPLOAD_NICE);
/** BENCH_TIER_OPENDAL_NICE: the nice value of opendal's threads (tier.opendalNice; default TIER_LIMITS.opendalNiceDefault). */
const OPENDAL_NICE = process.env.BENCH_TIER_OPENDAL_NICE === undefined ? undefined : Number(process.env.BENCH_TIER_OPENDAL_NICE);

export const benchFormat: RecoverableBatchFormat = {
  setBaseOffset: (batch, base) => { batch.writeBigInt64BE(base, 0); },
  recordCount: (batch) => batch.readInt32BE(8),
  maxTimestampMs: (batch) => batch.readBigInt64BE(12),
};

const walConfig: WalLogConfig = {
  fsyncPolicy: 'interval', fsyncIntervalMs: 100, segmentBytes: 16 * MIB, segmentMs: 7 * 24 * 3600_000,
  retentionBytes: -1, retentionMs: -1, batchFormat: benchFormat,
};

export function result(name: string, value: number, unit: string): void {
  const digits = value >= 100 ? 0 : value >= 1 ? 2 : 4;
  console.log(`RESULT ${name} ${value.toFixed(digits)} ${unit}`);
}

export function batch(): { batch: Buffer; recordCount: number; maxTimestampMs: bigint } {
  const b = Buffer.alloc(BATCH_BYTES, 0x61);
  const now = BigInt(Date.now());
  b.writeInt32BE(10, 8);
  b.writeBigInt64BE(now, 12);
  return { batch: b, recordCount: 10, maxTimestampMs: now };
}

export interface Rig {
  logs: PartitionLog[];
  tier: ObjectTier | null;
  /** True while object storage holds less of some partition than its WAL. */
  behind(): boolean;
  close(): Promise<void>;
}

export interface RigOptions {
  durability: Durability;
  localRetentionBytes?: number;
  /** The background uploader's period (the broker's default is 30 s; the bench uploads every second). */
  uploadIntervalMs?: number;
}

export async function openRig(dir: string, store: ObjectStoreConfig | null, options: RigOptions): Promise<Rig> {
  const silent = pino({ level: 'silent' });
  const manager = new LogManager({ dataDir: join(dir, 'logs'), logger: silent, retentionCheckIntervalMs: 3_600_000 });
  const metadata = await EmbeddedMetadataStore.open(join(dir, 'meta'));
  const tier = store === null ? null : await ObjectTier.open({
    objects: new OpendalObjectStore(store), metadata, keys: clusterKeys('/bench'), brokerId: 0, format: benchFormat,
    uploadIntervalMs: options.uploadIntervalMs ?? 1000, cloudCommitIntervalMs: 50, uploadNice: UPLOAD_NICE, runtimeThreadsNice: OPENDAL_NICE, policyOf: async () => ({ retentionMs: -1, retentionBytes: -1 }),
  });
  const settings = { durability: options.durability, localRetentionMs: -2, localRetentionBytes: options.localRetentionBytes ?? -2 };
  const logs: PartitionLog[] = [];
  for (let p = 0; p < PARTITIONS; p++) {
    logs.push(tier
      ? await openTieredLog(manager, tier, { topic: 'bench', partition: p, tierTopic: 'bench' }, walConfig, settings)
      : await manager.open('bench', p, walConfig));
  }
  return {
    logs, tier,
    behind: () => tier !== null && logs.some((log, p) => (tier.index.endOffset('bench', p) ?? 0n) < log.highWatermark()),
    close: async () => {
      await Promise.all(logs.map((l) => l.close()));
      await tier?.close();
      await manager.close();
      await metadata.close();
    },
  };
}

/** Process CPU (user + system, every thread) in ms since `since` (process.cpuUsage()). */
export function processCpuMs(since: NodeJS.CpuUsage): number {
  const cpu = process.cpuUsage(since);
  return (cpu.user + cpu.system) / 1000;
}

/**
 * CPU ms the main thread (the event loop every produce goes through) has run, from Linux
 * schedstat; null elsewhere. The thread pool's and opendal's threads are not in it.
 */
export function mainThreadCpuMs(): number | null {
  try {
    return Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ')[0]) / 1e6;
  } catch {
    return null;
  }
}

/** Per-thread CPU (user + system, ms) of this process by thread: the main thread, opendal's tokio threads, and the rest. */
export interface ThreadCpuMs {
  main: number;
  opendal: number;
  other: number;
  /** Minor page faults of opendal's threads (a fresh allocation's pages, each faulted in on first touch). */
  opendalFaults: number;
  /** Minor page faults of the other threads (thread pool, V8 helpers; not the main thread). */
  otherFaults: number;
}

const TICKS_PER_SECOND = 100;

/**
 * Every live thread's CPU from /proc/self/task/<tid>/stat (10 ms ticks), grouped: opendal's
 * tokio runtime names its threads `tokio-runtime-w`; `other` is the libuv thread pool (WAL
 * writes, the uploader's preads) and V8's helpers (GC, JIT). A thread that exited is no longer
 * counted, so take both samples while the threads of interest live. null where /proc is missing.
 */
export function threadCpuMs(): ThreadCpuMs | null {
  try {
    const out: ThreadCpuMs = { main: 0, opendal: 0, other: 0, opendalFaults: 0, otherFaults: 0 };
    for (const tid of readdirSync('/proc/self/task')) {
      let stat: string;
      try {
        stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      } catch {
        continue;
      }
      const close = stat.lastIndexOf(')');
      const fields = stat.slice(close + 2).split(' ');
      const ms = ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
      const minorFaults = Number(fields[7]);
      const name = stat.slice(stat.indexOf('(') + 1, close);
      if (tid === String(process.pid)) {
        out.main += ms;
      } else if (name.startsWith('tokio-runtime')) {
        out.opendal += ms;
        out.opendalFaults += minorFaults;
      } else {
        out.other += ms;
        out.otherFaults += minorFaults;
      }
    }
    return out;
  } catch {
    return null;
  }
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/**
 * What the parts of `npm run bench:tier` share: the storage engine as the broker builds it
 * (LogManager WAL, ObjectTier on a real embedded MetadataStore and an opendal backend), the
 * batches, the RESULT line and the CPU clocks.
 */
import { readFileSync } from 'node:fs';
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
    uploadIntervalMs: options.uploadIntervalMs ?? 1000, cloudCommitIntervalMs: 50, policyOf: async () => ({ retentionMs: -1, retentionBytes: -1 }),
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

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

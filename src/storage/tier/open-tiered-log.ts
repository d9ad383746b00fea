/**
 * What the broker calls to put the tier under a partition: the WAL opened through the
 * LogManager with local retention gated by the upload mark and, on an empty (new or lost)
 * disk, starting after the uploaded data; wrapped as a TieredPartitionLog.
 *
 * Local retention follows Kafka's KIP-405 names: local.retention.ms / local.retention.bytes,
 * where -2 means "the same as retention.ms / retention.bytes".
 */
import { join } from 'node:path';
import type { LogManager } from '../log-manager';
import { ObjectStoreConfig, parseObjectStoreUrl } from '../objects/object-store-config';
import type { WalLogConfig } from '../wal/wal-config';
import type { ObjectTier } from './object-tier';
import type { Durability, TieredPartitionLog } from './tiered-partition-log';

export interface TierTopicSettings {
  durability: Durability;
  /** -2: same as retention.ms. */
  localRetentionMs: number;
  /** -2: same as retention.bytes. */
  localRetentionBytes: number;
}

/**
 * `walConfig` carries the topic's retention.ms/bytes; the WAL gets the local ones instead.
 * durability cloud: an acknowledgement waits for the object store, so a local fsync would add
 * latency and no safety; the WAL leaves flushing to the OS.
 */
export function localWalConfig(walConfig: WalLogConfig, settings: TierTopicSettings, initialOffset: bigint): WalLogConfig {
  return {
    ...walConfig,
    fsyncPolicy: settings.durability === 'cloud' ? 'never' : walConfig.fsyncPolicy,
    retentionMs: settings.localRetentionMs === -2 ? walConfig.retentionMs : settings.localRetentionMs,
    retentionBytes: settings.localRetentionBytes === -2 ? walConfig.retentionBytes : settings.localRetentionBytes,
    retentionRequiresUploadMark: true,
    initialOffset,
  };
}

export interface TieredLogRef {
  /** Topic name: names the local log directory. */
  topic: string;
  partition: number;
  /**
   * The partition's identity in object storage; the broker passes the topic id, so a topic
   * deleted and created again under the same name never sees the old topic's objects
   * (and cloud retention's policyOf(tierTopic) returns null for the deleted id).
   */
  tierTopic: string;
  leaderEpoch?: () => number;
}

export async function openTieredLog(logs: LogManager, tier: ObjectTier, ref: TieredLogRef,
  walConfig: WalLogConfig, settings: TierTopicSettings): Promise<TieredPartitionLog> {
  const { topic, partition, tierTopic } = ref;
  const local = await logs.open(topic, partition, localWalConfig(walConfig, settings, tier.initialOffset(tierTopic, partition)));
  return tier.wrap(tierTopic, partition, local, {
    durability: settings.durability,
    leaderEpoch: ref.leaderEpoch,
    resetLocal: async (offset) => {
      await logs.delete(topic, partition);
      return logs.open(topic, partition, localWalConfig(walConfig, settings, offset));
    },
  });
}

/** The configured object store: the URL when given, else fs under `<dataDir>/objects`. */
export function objectStoreConfigFor(url: string, dataDir: string): ObjectStoreConfig {
  if (url !== '') return parseObjectStoreUrl(url);
  return { backend: 'fs', root: join(dataDir.startsWith('/') ? dataDir : join(process.cwd(), dataDir), 'objects') };
}

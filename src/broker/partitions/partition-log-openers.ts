/**
 * Chooses how partition logs are opened: the plain WAL, or the WAL with the object-store tier
 * under it when `tier.enabled` is set or an object store is named (`--object-store URL`).
 * Opening the tier proves the object store works (a probe object), so a bad bucket, key or
 * endpoint stops the broker at startup with a message naming the backend.
 */
import type { TributaryConfig } from '../../config/schema';
import type { ClusterKeys } from '../../coordination/keys';
import type { MetadataStore } from '../../coordination/metadata-store';
import type { LogManager } from '../../storage/log-manager';
import type { RecoverableBatchFormat } from '../../storage/partition-log';
import { openObjectStore } from '../../storage/objects/open-object-store';
import { ObjectTier } from '../../storage/tier/object-tier';
import { objectStoreConfigFor } from '../../storage/tier/open-tiered-log';
import { clusterTierFence } from '../cluster/tier-fence';
import { effectiveTopicConfig } from '../topics/topic-config';
import type { TopicRegistry } from '../topics/topic-registry';
import type { PartitionLogOpener } from './partition-registry';
import { TieredLogOpener } from './tiered-log-opener';
import { WalLogOpener } from './wal-log-opener';

export interface PartitionLogOpeners {
  opener: PartitionLogOpener;
  /** The tier, when on (tests and metrics read its upload stats). */
  tier: ObjectTier | null;
  /** Uploads what durability-cloud appends wait for, then stops the tier's loops. */
  close(): Promise<void>;
}

export async function openPartitionLogOpener(config: TributaryConfig, store: MetadataStore, keys: ClusterKeys,
  topics: TopicRegistry, logs: LogManager, batchFormat: RecoverableBatchFormat): Promise<PartitionLogOpeners> {
  if (!config.tier.enabled && config.tier.objectStore === '') {
    return { opener: new WalLogOpener(logs, batchFormat, config.storage.flushIntervalMs), tier: null, close: async () => undefined };
  }
  const tier = await ObjectTier.open({
    objects: await openObjectStore(objectStoreConfigFor(config.tier.objectStore, config.data.dir)),
    metadata: store, keys, brokerId: config.broker.id, format: batchFormat,
    uploadIntervalMs: config.tier.uploadIntervalMs, cloudCommitIntervalMs: config.cloud.commitIntervalMs,
    retentionIntervalMs: config.tier.retentionIntervalMs,
    uploadNice: config.tier.uploadNice, runtimeThreadsNice: config.tier.opendalNice,
    // Cluster mode: descriptor, cut and log-start writes compare the partition's leader epoch.
    fence: config.metadata.store === 'etcd'
      ? clusterTierFence(store, keys, config.broker.id, (topicId) => topics.getById(topicId)?.name ?? null) : undefined,
    // The tier names partitions by topic id: a deleted topic's id is gone, so its objects are collected.
    policyOf: async (topicId) => {
      const record = topics.getById(topicId);
      if (!record) return null;
      const effective = effectiveTopicConfig(record.configs, config.topics);
      return { retentionMs: effective.retentionMs, retentionBytes: effective.retentionBytes };
    },
  });
  return {
    opener: new TieredLogOpener(logs, tier, batchFormat, config.storage.flushIntervalMs),
    tier,
    close: () => tier.close(),
  };
}

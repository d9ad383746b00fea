/**
 * Partition logs on the WAL: each partition's log is opened through the storage LogManager
 * with its topic's effective configs (flush policy, segment and retention limits).
 */
import type { LogManager } from '../../storage/log-manager';
import type { PartitionLog, RecoverableBatchFormat } from '../../storage/partition-log';
import type { WalLogConfig } from '../../storage/wal/wal-config';
import { DomainError } from '../errors';
import type { EffectiveTopicConfig } from '../topics/topic-config';
import type { PartitionLogOpener } from './partition-registry';
import type { PartitionRef } from './producer-state-hook';

export class WalLogOpener implements PartitionLogOpener {
  constructor(
    private readonly logs: LogManager,
    private readonly batchFormat: RecoverableBatchFormat,
    private readonly flushIntervalMs: number,
  ) {}

  open(ref: PartitionRef, config: EffectiveTopicConfig): Promise<PartitionLog> {
    if (config.durability === 'cloud') {
      return Promise.reject(new DomainError('invalid-config', `${ref.topic} has durability cloud, which needs the object-store tier (tier.enabled or --object-store)`));
    }
    return this.logs.open(ref.topic, ref.partition, this.walConfig(config));
  }

  /** The WAL config of a topic's partition (the tier replaces its retention with local.retention.*). */
  walConfig(config: EffectiveTopicConfig): WalLogConfig {
    return {
      fsyncPolicy: config.flushPolicy,
      fsyncIntervalMs: this.flushIntervalMs,
      segmentBytes: config.segmentBytes,
      segmentMs: config.segmentMs,
      retentionBytes: config.retentionBytes,
      retentionMs: config.retentionMs,
      batchFormat: this.batchFormat,
    };
  }

  remove(ref: PartitionRef): Promise<void> {
    return this.logs.delete(ref.topic, ref.partition);
  }
}

/**
 * Partition logs on the WAL: each partition's log is opened through the storage LogManager
 * with its topic's effective configs (flush policy, segment and retention limits).
 */
import type { LogManager } from '../../storage/log-manager';
import type { PartitionLog, RecoverableBatchFormat } from '../../storage/partition-log';
import type { WalLogConfig } from '../../storage/wal/wal-config';
import type { WalPartitionLog } from '../../storage/wal/wal-partition-log';
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
      preallocate: config.preallocate,
      retentionBytes: config.retentionBytes,
      retentionMs: config.retentionMs,
      batchFormat: this.batchFormat,
    };
  }

  reconfigure(log: PartitionLog, config: EffectiveTopicConfig): void {
    // AlterConfigs refuses durability cloud on a broker without the tier; a change seen from
    // another broker's write keeps this log on the WAL, as the open refusal would not apply to it.
    const { batchFormat: _format, ...changes } = this.walConfig(config);
    (log as WalPartitionLog).reconfigure(changes);
  }

  remove(ref: PartitionRef): Promise<void> {
    return this.logs.delete(ref.topic, ref.partition);
  }
}

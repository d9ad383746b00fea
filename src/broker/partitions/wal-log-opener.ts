/**
 * Partition logs on the WAL: each partition's log is opened through the storage LogManager
 * with its topic's effective configs (flush policy, segment and retention limits).
 */
import type { LogManager } from '../../storage/log-manager';
import type { PartitionLog, RecoverableBatchFormat } from '../../storage/partition-log';
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
    return this.logs.open(ref.topic, ref.partition, {
      fsyncPolicy: config.flushPolicy,
      fsyncIntervalMs: this.flushIntervalMs,
      segmentBytes: config.segmentBytes,
      segmentMs: config.segmentMs,
      retentionBytes: config.retentionBytes,
      retentionMs: config.retentionMs,
      batchFormat: this.batchFormat,
    });
  }

  remove(ref: PartitionRef): Promise<void> {
    return this.logs.delete(ref.topic, ref.partition);
  }
}

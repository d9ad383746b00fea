/**
 * Partition logs with the object-store tier under them: the WAL opened through the storage
 * LogManager with local retention gated on uploads, wrapped as a TieredPartitionLog. The
 * tier names a partition by its topic id, so a topic deleted and created again under the
 * same name starts empty in object storage too.
 */
import type { LogManager } from '../../storage/log-manager';
import type { PartitionLog, RecoverableBatchFormat } from '../../storage/partition-log';
import type { ObjectTier } from '../../storage/tier/object-tier';
import { openTieredLog } from '../../storage/tier/open-tiered-log';
import type { TieredPartitionLog } from '../../storage/tier/tiered-partition-log';
import type { EffectiveTopicConfig } from '../topics/topic-config';
import type { PartitionLogOpener } from './partition-registry';
import type { PartitionRef } from './producer-state-hook';
import { WalLogOpener } from './wal-log-opener';

export class TieredLogOpener implements PartitionLogOpener {
  private readonly wal: WalLogOpener;

  constructor(
    private readonly logs: LogManager,
    private readonly tier: ObjectTier,
    batchFormat: RecoverableBatchFormat,
    flushIntervalMs: number,
  ) {
    this.wal = new WalLogOpener(logs, batchFormat, flushIntervalMs);
  }

  /**
   * Cluster mode (ClusterLogOpener): `ref.leaderEpoch` is the epoch every tier write of this log
   * is fenced on; `ref.fromObjectStorage` makes the tier index catch up with the store first, so
   * the log continues exactly where the last owner's recorded objects end.
   */
  async open(ref: PartitionRef & { leaderEpoch?: number; fromObjectStorage?: boolean }, config: EffectiveTopicConfig): Promise<PartitionLog> {
    const leaderEpoch = ref.leaderEpoch ?? 0;
    if (ref.fromObjectStorage) await this.tier.catchUp();
    return openTieredLog(this.logs, this.tier, { topic: ref.topic, partition: ref.partition, tierTopic: ref.topicId, leaderEpoch: () => leaderEpoch },
      this.wal.walConfig(config), config);
  }

  reconfigure(log: PartitionLog, config: EffectiveTopicConfig): void {
    (log as TieredPartitionLog).reconfigure(this.wal.walConfig(config), config);
  }

  remove(ref: PartitionRef): Promise<void> {
    return this.wal.remove(ref);
  }
}

/**
 * Opens partition logs in cluster mode. A broker's local WAL of a partition is trusted only
 * if it was written at the partition's current leader epoch: a log left from an earlier
 * ownership (the partition moved away and came back, or the broker crashed and its
 * partitions were reassigned) may hold a tail the next owners never saw, and reopening it
 * would put two different records at one offset. Such a log is deleted first, so the
 * partition opens from object storage at the end its last owner recorded there.
 *
 * The epoch a log was last opened at is kept in `<data.dir>/cluster/epochs/<topicId>-<partition>`
 * (written with fsync before the log opens).
 *
 * The inner opener gets that epoch as `ref.leaderEpoch`: the tiered log fences every write it
 * makes to shared state (object descriptors, cuts, the cloud log start) on it, so once another
 * broker (or a later epoch) leads the partition, this log can record nothing more.
 */
import { mkdir, open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PartitionLog } from '../../storage/partition-log';
import { componentLogger } from '../../log';
import type { PartitionLogOpener } from '../partitions/partition-registry';
import type { PartitionRef } from '../partitions/producer-state-hook';
import type { EffectiveTopicConfig } from '../topics/topic-config';
import type { ClusterView } from './cluster-view';

const log = componentLogger('cluster-log-opener');

/** A partition opened in cluster mode: with the leader epoch this broker was assigned when it opened. */
export interface EpochPartitionRef extends PartitionRef {
  leaderEpoch: number;
}

export class ClusterLogOpener implements PartitionLogOpener {
  private readonly dir: string;

  constructor(private readonly inner: PartitionLogOpener, private readonly cluster: ClusterView, dataDir: string) {
    this.dir = join(dataDir, 'cluster', 'epochs');
  }

  async open(ref: PartitionRef, config: EffectiveTopicConfig): Promise<PartitionLog> {
    const epoch = this.cluster.leaderEpochOf(ref.topic, ref.partition);
    const marker = join(this.dir, `${ref.topicId}-${ref.partition}`);
    const previous = await readFile(marker, 'utf8').then((text) => Number(text), () => null);
    if (previous !== epoch) {
      if (previous !== null) log.info({ topic: ref.topic, partition: ref.partition, previous, epoch }, 'local log from an earlier ownership discarded');
      await this.inner.remove(ref);
      await writeDurably(this.dir, marker, String(epoch));
    }
    const owned: EpochPartitionRef = { ...ref, leaderEpoch: epoch };
    return this.inner.open(owned, config);
  }

  remove(ref: PartitionRef): Promise<void> {
    return this.inner.remove(ref);
  }
}

async function writeDurably(dir: string, file: string, text: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const handle = await open(file, 'w');
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

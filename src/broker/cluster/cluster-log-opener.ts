/**
 * Opens partition logs in cluster mode. A broker's local WAL of a partition is trusted only
 * if it was written at the partition's current leader epoch: a log left from an earlier
 * ownership (the partition moved away and came back, or the broker crashed and its
 * partitions were reassigned) may hold a tail the next owners never saw, and reopening it
 * would put two different records at one offset. Such a log is deleted first, so the
 * partition opens from object storage at the end its last owner recorded there.
 *
 * The epoch a log was last opened at is kept in `<data.dir>/cluster/epochs/<topicId>-<partition>`
 * (written with fsync before the log opens), with the topic's name on a second line so that
 * `sweep` can find the log of a topic deleted while this broker was down.
 *
 * The inner opener gets that epoch as `ref.leaderEpoch`: the tiered log fences every write it
 * makes to shared state (object descriptors, cuts, the cloud log start) on it, so once another
 * broker (or a later epoch) leads the partition, this log can record nothing more.
 */
import { mkdir, open, readdir, readFile, rm } from 'node:fs/promises';
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
  /** No local log from this epoch: the partition continues where object storage ends. */
  fromObjectStorage: boolean;
}

export class ClusterLogOpener implements PartitionLogOpener {
  private readonly dir: string;
  /** The last log opened for each partition ("topic/partition"), for the load report (load-reporter.ts). */
  private readonly opened = new Map<string, PartitionLog>();

  constructor(private readonly inner: PartitionLogOpener, private readonly cluster: ClusterView, dataDir: string) {
    this.dir = join(dataDir, 'cluster', 'epochs');
  }

  async open(ref: PartitionRef, config: EffectiveTopicConfig): Promise<PartitionLog> {
    const epoch = this.cluster.leaderEpochOf(ref.topic, ref.partition);
    const marker = this.markerOf(ref);
    const previous = await readMarker(marker);
    const fromObjectStorage = previous?.epoch !== epoch;
    if (fromObjectStorage) {
      if (previous) log.info({ topic: ref.topic, partition: ref.partition, previous: previous.epoch, epoch }, 'local log from an earlier ownership discarded');
      await this.inner.remove(ref);
      await writeDurably(this.dir, marker, `${epoch}\n${ref.topic}`);
    }
    const owned: EpochPartitionRef = { ...ref, leaderEpoch: epoch, fromObjectStorage };
    const opened = await this.inner.open(owned, config);
    this.opened.set(`${ref.topic}/${ref.partition}`, opened);
    return opened;
  }

  /** Logs of the partitions this broker leads now; forgets the others (moved away: closed). */
  ledLogs(): PartitionLog[] {
    const led: PartitionLog[] = [];
    for (const [id, partitionLog] of this.opened) {
      const slash = id.lastIndexOf('/');
      if (this.cluster.leaderOf(id.slice(0, slash), Number(id.slice(slash + 1))) === this.cluster.self.nodeId) led.push(partitionLog);
      else this.opened.delete(id);
    }
    return led;
  }

  reconfigure(log: PartitionLog, config: EffectiveTopicConfig): void {
    this.inner.reconfigure?.(log, config);
  }

  async remove(ref: PartitionRef): Promise<void> {
    this.opened.delete(`${ref.topic}/${ref.partition}`);
    await this.inner.remove(ref);
    await rm(this.markerOf(ref), { force: true });
  }

  /**
   * Removes the local logs of topics that no longer exist: a topic deleted while this broker
   * was away never told it to. `topics` maps each existing topic's name to its id. A log whose
   * name was taken by a new topic meanwhile is that topic's to discard when it opens (local
   * directories go by name), so only the stale marker goes. Call before this broker serves any
   * partition; resolves with the number of logs removed.
   */
  async sweep(topics: ReadonlyMap<string, string>): Promise<number> {
    let removed = 0;
    for (const name of await readdir(this.dir).catch(() => [] as string[])) {
      const dash = name.lastIndexOf('-');
      const topicId = name.slice(0, dash);
      const topic = (await readMarker(join(this.dir, name)))?.topic;
      if (dash <= 0 || !topic || topics.get(topic) === topicId) continue;
      const ref = { topic, topicId, partition: Number(name.slice(dash + 1)) };
      if (topics.has(topic)) {
        await rm(this.markerOf(ref), { force: true });
        continue;
      }
      await this.remove(ref);
      log.info(ref, 'local log of a topic deleted while this broker was away removed');
      removed += 1;
    }
    return removed;
  }

  private markerOf(ref: PartitionRef): string {
    return join(this.dir, `${ref.topicId}-${ref.partition}`);
  }
}

/** A marker's epoch and topic name (markers written before names were kept have none). */
async function readMarker(file: string): Promise<{ epoch: number; topic: string | null } | null> {
  const text = await readFile(file, 'utf8').catch(() => null);
  if (text === null) return null;
  const [epoch, topic] = text.split('\n');
  return { epoch: Number(epoch), topic: topic || null };
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

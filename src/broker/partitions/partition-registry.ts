/**
 * The partitions this broker leads, opened on first use from the topic registry and closed
 * (their logs removed) when their topic is deleted. Lookups of an unknown topic or partition
 * throw typed errors the handlers map per partition.
 */
import type { PartitionLog } from '../../storage/partition-log';
import { componentLogger } from '../../log';
import { DomainError } from '../errors';
import { EffectiveTopicConfig, effectiveTopicConfig, TopicDefaults } from '../topics/topic-config';
import type { TopicRecord, TopicRegistry } from '../topics/topic-registry';
import { Partition, PartitionDeps } from './partition';
import type { PartitionRef } from './producer-state-hook';

const log = componentLogger('partitions');

/** Opens and removes partition logs; implemented over the storage log manager. */
export interface PartitionLogOpener {
  open(ref: PartitionRef, config: EffectiveTopicConfig): Promise<PartitionLog>;
  /** Deletes a closed partition's data. */
  remove(ref: PartitionRef): Promise<void>;
  /** Applies a topic's changed configs to a log it opened (AlterConfigs): retention, segments, flush policy, durability. */
  reconfigure?(log: PartitionLog, config: EffectiveTopicConfig): void;
}

export class PartitionRegistry {
  private readonly open = new Map<string, Promise<Partition>>();
  /** The partitions of `open` whose opening has finished: a Produce reaches them without a promise hop. */
  private readonly ready = new Map<string, Partition>();
  /** Deleted topics whose logs are being closed and removed: close() waits for them. */
  private readonly drops = new Set<Promise<void>>();

  constructor(
    private readonly topics: TopicRegistry,
    private readonly opener: PartitionLogOpener,
    private readonly defaults: TopicDefaults,
    private readonly deps: PartitionDeps,
  ) {
    topics.on('deleted', (record) => {
      const drop = this.dropTopic(record);
      this.drops.add(drop);
      void drop.finally(() => this.drops.delete(drop));
    });
    topics.on('changed', (record) => void this.reconfigureTopic(record));
  }

  /** The partition, opening its log if needed; throws unknown-topic for a missing topic or index. */
  get(topic: string, partition: number): Promise<Partition> {
    const record = this.topics.get(topic);
    if (!record || !Number.isInteger(partition) || partition < 0 || partition >= record.partitions) {
      return Promise.reject(new DomainError('unknown-topic', `unknown topic or partition ${topic}-${partition}`));
    }
    const key = `${record.topicId}/${partition}`;
    let opening = this.open.get(key);
    if (!opening) {
      const started = this.openPartition(record, partition);
      opening = started;
      this.open.set(key, started);
      started.then(
        (opened) => { if (this.open.get(key) === started) this.ready.set(key, opened); },
        () => this.forget(key),
      );
    }
    return opening;
  }

  /** The partition if its log is open already (what get() would resolve to), else undefined. */
  openNow(topic: string, partition: number): Partition | undefined {
    const record = this.topics.get(topic);
    return record ? this.ready.get(`${record.topicId}/${partition}`) : undefined;
  }

  private forget(key: string): void {
    this.open.delete(key);
    this.ready.delete(key);
  }

  /** Closes the partition's log if open, keeping its data; the next get() opens it again (ownership moved, cluster mode). */
  async release(topic: string, partition: number): Promise<void> {
    const record = this.topics.get(topic);
    const key = record ? `${record.topicId}/${partition}` : null;
    const opening = key === null ? undefined : this.open.get(key);
    if (key === null || !opening) return;
    this.forget(key);
    await (await opening.catch(() => null))?.close();
  }

  /**
   * Closes every open log. A topic deleted just before is still being removed (its logs closed,
   * then its directories renamed and deleted, in the background of the delete): that finishes
   * first, so nothing touches the data directory once the broker has stopped.
   */
  async close(): Promise<void> {
    await Promise.all([...this.drops]);
    const all = [...this.open.values()];
    this.open.clear();
    this.ready.clear();
    await Promise.all(all.map(async (p) => (await p.catch(() => null))?.close()));
  }

  private async openPartition(record: TopicRecord, partition: number): Promise<Partition> {
    const ref: PartitionRef = { topic: record.name, topicId: record.topicId, partition };
    const config = effectiveTopicConfig(record.configs, this.defaults);
    const partitionLog = await this.opener.open(ref, config);
    await this.deps.producers.partitionOpened?.(ref, partitionLog);
    return new Partition(ref, partitionLog, config, this.deps);
  }

  /** A topic's configs changed (on any broker): its open partitions take them from now on. */
  private async reconfigureTopic(record: TopicRecord): Promise<void> {
    const config = effectiveTopicConfig(record.configs, this.defaults);
    for (let i = 0; i < record.partitions; i++) {
      const opening = this.open.get(`${record.topicId}/${i}`);
      if (!opening) continue;
      try {
        (await opening).updateConfig(config, (partitionLog) => this.opener.reconfigure?.(partitionLog, config));
      } catch (err) {
        log.warn({ err, topic: record.name, partition: i }, 'applying changed topic configs to an open partition failed');
      }
    }
  }

  private async dropTopic(record: TopicRecord): Promise<void> {
    for (let i = 0; i < record.partitions; i++) {
      const key = `${record.topicId}/${i}`;
      const opening = this.open.get(key);
      this.forget(key);
      const ref = { topic: record.name, topicId: record.topicId, partition: i };
      try {
        if (opening) await (await opening).close();
        await this.opener.remove(ref);
      } catch (err) {
        log.error({ err, topic: record.name, partition: i }, 'failed to remove a deleted partition');
      }
    }
  }
}

/**
 * The topics of the cluster: name, stable UUID, partition count and configs, persisted in the
 * MetadataStore (one JSON value per topic under keys.topic(name)) and kept in memory. A watch
 * on the topics prefix keeps every broker's view in step; creations use compare-and-swap on
 * "key absent", so two brokers creating one topic agree on a single UUID.
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { ClusterKeys } from '../../coordination/keys';
import type { MetadataStore, Watch, WatchEvent } from '../../coordination/metadata-store';
import { KAFKA_BROKER_LIMITS } from '../../limits';
import { componentLogger } from '../../log';
import { DomainError } from '../errors';
import { validateTopicConfigs } from './topic-config';
import { validateTopicName } from './topic-name';

const log = componentLogger('topics');

export interface TopicRecord {
  name: string;
  /** Canonical UUID string (8-4-4-4-12 hex). */
  topicId: string;
  partitions: number;
  configs: Record<string, string>;
  /**
   * The broker an operator named for each partition (CreateTopics / CreatePartitions manual
   * assignments), null where none was; the controller places a partition there when it first
   * assigns it, and pins it (coordination/assignment.ts). Absent when none was ever named.
   */
  placement?: Array<number | null>;
}

export interface TopicSpec {
  name: string;
  partitions: number;
  configs?: Record<string, string>;
  /** A broker id per partition (length = partitions). */
  placement?: number[];
}

export interface TopicRegistryEvents {
  created: [TopicRecord];
  changed: [TopicRecord];
  deleted: [TopicRecord];
}

export class TopicRegistry extends EventEmitter<TopicRegistryEvents> {
  private readonly byName = new Map<string, TopicRecord>();
  private readonly byId = new Map<string, TopicRecord>();
  /**
   * Store revision of the latest change applied per name (deletions included), so an older
   * event arriving late (our own write is applied before its watch event; a listing may race
   * the watch) never undoes a newer one, e.g. a delete event forgetting the topic re-created since.
   */
  private readonly revisions = new Map<string, bigint>();
  private watch: Watch | null = null;

  private constructor(private readonly store: MetadataStore, private readonly keys: ClusterKeys) {
    super();
  }

  static async open(store: MetadataStore, keys: ClusterKeys): Promise<TopicRegistry> {
    const registry = new TopicRegistry(store, keys);
    registry.watch = await store.watch(keys.topicsPrefix, (event) => registry.onWatch(event));
    for (const kv of await store.list(keys.topicsPrefix)) registry.onWatch({ type: 'put', kv });
    return registry;
  }

  get(name: string): TopicRecord | undefined {
    return this.byName.get(name);
  }

  getById(topicId: string): TopicRecord | undefined {
    return this.byId.get(topicId);
  }

  list(): TopicRecord[] {
    return [...this.byName.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Validates and (unless validateOnly) persists a new topic; throws topic-exists if it is there. */
  async create(spec: TopicSpec, validateOnly = false): Promise<TopicRecord> {
    validateTopicName(spec.name);
    checkPartitionCount(spec.partitions);
    const configs = spec.configs ?? {};
    validateTopicConfigs(configs);
    if (this.byName.has(spec.name)) throw new DomainError('topic-exists', `topic ${spec.name} already exists`);
    if (spec.placement && spec.placement.length !== spec.partitions) {
      throw new DomainError('invalid-request', `placement names ${spec.placement.length} brokers for ${spec.partitions} partitions`);
    }
    const record: TopicRecord = { name: spec.name, topicId: randomUUID(), partitions: spec.partitions, configs,
      ...(spec.placement ? { placement: [...spec.placement] } : {}) };
    if (validateOnly) return record;
    const key = this.keys.topic(spec.name);
    const value = JSON.stringify(record);
    const result = await this.store.txn([{ key, modRevision: 0n }], [{ type: 'put', key, value }]);
    // A store that retried the write after a timeout sees its own first attempt: same topic id.
    const revision = result.succeeded ? result.revision : await this.ownWrite(key, value);
    if (revision === null) throw new DomainError('topic-exists', `topic ${spec.name} already exists`);
    if (this.applied(spec.name, revision)) this.remember(record);
    log.info({ topic: record.name, topicId: record.topicId, partitions: record.partitions }, 'topic created');
    return record;
  }

  /**
   * Deletes the topic as stored (compare-and-swap on its revision), so of two brokers deleting
   * it at once one succeeds and the other finds it gone; with `topicId`, only that topic.
   */
  async delete(name: string, topicId?: string): Promise<TopicRecord> {
    const key = this.keys.topic(name);
    for (let attempt = 0; attempt < CAS_ATTEMPTS_MAX; attempt++) {
      const current = await this.store.get(key);
      const record = current ? JSON.parse(current.value) as TopicRecord : undefined;
      if (!record) throw new DomainError('unknown-topic', `topic ${name} does not exist`);
      if (topicId !== undefined && record.topicId !== topicId) throw new DomainError('unknown-topic-id', `no topic has id ${topicId}`);
      const result = await this.store.txn([{ key, modRevision: current!.modRevision }], [{ type: 'delete', key }]);
      if (result.succeeded) {
        if (this.applied(name, result.revision)) this.forget(name);
        log.info({ topic: name, topicId: record.topicId }, 'topic deleted');
        return record;
      }
    }
    throw new DomainError('invalid-request', `topic ${name} kept changing concurrently; retry`);
  }

  /**
   * Raises the partition count to `total` (Kafka cannot shrink a topic). The new record is
   * derived from the stored one, not from memory: another broker may have changed the topic
   * a moment ago and this broker's watch may not have seen it yet. `placement`: a broker id for
   * each new partition (manual assignments).
   */
  async addPartitions(name: string, total: number, validateOnly = false, placement?: number[]): Promise<TopicRecord> {
    checkPartitionCount(total);
    if (validateOnly) return grown(this.byName.get(name), name, total, placement);
    const key = this.keys.topic(name);
    for (let attempt = 0; attempt < CAS_ATTEMPTS_MAX; attempt++) {
      const current = await this.store.get(key);
      const updated = grown(current ? JSON.parse(current.value) as TopicRecord : undefined, name, total, placement);
      const value = JSON.stringify(updated);
      const result = await this.store.txn([{ key, modRevision: current!.modRevision }], [{ type: 'put', key, value }]);
      // Retried by the store after a timeout, the first attempt may be what changed the key.
      const revision = result.succeeded ? result.revision : await this.ownWrite(key, value);
      if (revision !== null) {
        if (this.applied(name, revision)) this.remember(updated);
        return updated;
      }
    }
    throw new DomainError('invalid-request', `topic ${name} kept changing concurrently; retry`);
  }

  /**
   * Replaces the topic's configs with `change(current configs)` (AlterConfigs and
   * IncrementalAlterConfigs), validated, as a compare-and-swap on the stored record like
   * addPartitions. Every broker applies it to its open partitions through the 'changed' event.
   */
  async alterConfigs(name: string, change: (current: Record<string, string>) => Record<string, string>, validateOnly = false): Promise<TopicRecord> {
    const key = this.keys.topic(name);
    for (let attempt = 0; attempt < CAS_ATTEMPTS_MAX; attempt++) {
      const current = await this.store.get(key);
      if (!current) throw new DomainError('unknown-topic', `topic ${name} does not exist`);
      const record = JSON.parse(current.value) as TopicRecord;
      const configs = change({ ...record.configs });
      validateTopicConfigs(configs);
      const updated: TopicRecord = { ...record, configs };
      if (validateOnly) return updated;
      const value = JSON.stringify(updated);
      const result = await this.store.txn([{ key, modRevision: current.modRevision }], [{ type: 'put', key, value }]);
      const revision = result.succeeded ? result.revision : await this.ownWrite(key, value);
      if (revision !== null) {
        if (this.applied(name, revision)) this.remember(updated);
        log.info({ topic: name, configs }, 'topic configs changed');
        return updated;
      }
    }
    throw new DomainError('invalid-request', `topic ${name} kept changing concurrently; retry`);
  }

  async close(): Promise<void> {
    await this.watch?.cancel();
    this.watch = null;
  }

  private onWatch(event: WatchEvent): void {
    const key = event.type === 'put' ? event.kv.key : event.key;
    const name = key.slice(this.keys.topicsPrefix.length);
    if (!this.applied(name, event.type === 'put' ? event.kv.modRevision : event.modRevision)) return;
    if (event.type === 'put') {
      this.remember(JSON.parse(event.kv.value) as TopicRecord);
    } else {
      this.forget(name);
    }
  }

  /** True (and noted) if a change at `revision` is newer than anything applied for the name. */
  private applied(name: string, revision: bigint): boolean {
    if (revision <= (this.revisions.get(name) ?? 0n)) return false;
    this.revisions.set(name, revision);
    return true;
  }

  /** The revision of `value` at `key` if it is stored there (a write of ours the store retried), else null. */
  private async ownWrite(key: string, value: string): Promise<bigint | null> {
    const stored = await this.store.get(key);
    return stored?.value === value ? stored.modRevision : null;
  }

  private remember(record: TopicRecord): void {
    const previous = this.byName.get(record.name);
    if (previous && JSON.stringify(previous) === JSON.stringify(record)) return;
    if (previous && previous.topicId !== record.topicId) this.forget(record.name);
    this.byName.set(record.name, record);
    this.byId.set(record.topicId, record);
    this.emit(previous && previous.topicId === record.topicId ? 'changed' : 'created', record);
  }

  private forget(name: string): void {
    const record = this.byName.get(name);
    if (!record) return;
    this.byName.delete(name);
    this.byId.delete(record.topicId);
    this.emit('deleted', record);
  }
}

/** Compare-and-swap rounds of addPartitions and delete against brokers changing the same topic. */
const CAS_ATTEMPTS_MAX = 10;

function grown(record: TopicRecord | undefined, name: string, total: number, placement?: number[]): TopicRecord {
  if (!record) throw new DomainError('unknown-topic', `topic ${name} does not exist`);
  if (total <= record.partitions) {
    throw new DomainError('invalid-partitions', `topic ${name} has ${record.partitions} partitions; the new count must be larger, not ${total}`);
  }
  if (placement === undefined) return { ...record, partitions: total };
  if (placement.length !== total - record.partitions) {
    throw new DomainError('invalid-request', `assignments name ${placement.length} brokers for ${total - record.partitions} new partitions of ${name}`);
  }
  const earlier = record.placement ?? new Array<number | null>(record.partitions).fill(null);
  return { ...record, partitions: total, placement: [...earlier, ...placement] };
}

function checkPartitionCount(count: number): void {
  if (!Number.isInteger(count) || count < 1 || count > KAFKA_BROKER_LIMITS.partitionsPerTopicMax) {
    throw new DomainError('invalid-partitions', `partition count must be from 1 to ${KAFKA_BROKER_LIMITS.partitionsPerTopicMax}, not ${count}`);
  }
}

/**
 * Committed group offsets, written through to the MetadataStore before a commit is answered
 * and cached in memory for OffsetFetch. One OffsetCommit request becomes one transaction (or
 * a few when it names more partitions than a transaction may hold), so the embedded store's
 * group commit turns many concurrent commits into few fsyncs. Group ids are URI-encoded in keys
 * so any id (even one containing "/") maps to its own key range.
 */
import { COORDINATION_LIMITS, GROUP_LIMITS } from '../../limits';
import type { ClusterKeys } from '../../coordination/keys';
import type { MetadataStore, TxnOp } from '../../coordination/metadata-store';
import { GroupError } from './group-errors';
import type { TopicPartition } from './group-api';

export interface CommittedOffset {
  offset: bigint;
  leaderEpoch: number;
  metadata: string;
  commitTimestampMs: number;
}

export interface OffsetWrite extends TopicPartition, CommittedOffset {}

interface StoredValue {
  offset: string;
  leaderEpoch: number;
  metadata: string;
  commitTimestampMs: number;
}

interface CachedOffset extends CommittedOffset {
  /** Issue order of the write that produced it: a slower earlier write never overwrites a later one. */
  seq: number;
}

const partitionKey = (topic: string, partition: number) => `${topic}\u0000${partition}`;

export class OffsetStore {
  private readonly groups = new Map<string, Map<string, CachedOffset & TopicPartition>>();
  private nextSeq = 1;
  private count = 0;

  private constructor(private readonly store: MetadataStore, private readonly keys: ClusterKeys,
    private readonly committedOffsetsMax: number) {}

  /** Loads every committed offset of the cluster prefix. */
  static async open(store: MetadataStore, keys: ClusterKeys, committedOffsetsMax: number = GROUP_LIMITS.committedOffsetsMax):
    Promise<OffsetStore> {
    const offsets = new OffsetStore(store, keys, committedOffsetsMax);
    const root = keys.groupOffsetsPrefix('\u0000').split('\u0000')[0];
    for (const kv of await store.list(root)) {
      const parts = kv.key.slice(root.length).split('/');
      if (parts.length !== 4 || parts[1] !== 'offsets') continue;
      const value = JSON.parse(kv.value) as StoredValue;
      offsets.remember(decodeURIComponent(parts[0]), {
        topic: parts[2], partition: Number(parts[3]), offset: BigInt(value.offset), leaderEpoch: value.leaderEpoch,
        metadata: value.metadata, commitTimestampMs: value.commitTimestampMs,
      }, 0);
    }
    return offsets;
  }

  groupIds(): string[] {
    return [...this.groups.keys()];
  }

  hasOffsets(groupId: string): boolean {
    return (this.groups.get(groupId)?.size ?? 0) > 0;
  }

  get(groupId: string, topic: string, partition: number): CommittedOffset | undefined {
    return this.groups.get(groupId)?.get(partitionKey(topic, partition));
  }

  /** Every committed offset of a group, sorted by topic then partition. */
  all(groupId: string): OffsetWrite[] {
    const entries = [...(this.groups.get(groupId)?.values() ?? [])];
    return entries.sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1));
  }

  /** Durable when it resolves; visible to get() only then. */
  async commit(groupId: string, requested: OffsetWrite[]): Promise<void> {
    // A partition named twice keeps its last value (one key may be put once per transaction).
    const writes = [...new Map(requested.map((w) => [partitionKey(w.topic, w.partition), w])).values()];
    const added = writes.filter((w) => !this.get(groupId, w.topic, w.partition)).length;
    if (this.count + added > this.committedOffsetsMax) {
      throw new GroupError('invalid-request', `the coordinator holds ${this.count} committed offsets; at most ${this.committedOffsetsMax}`);
    }
    const seq = this.nextSeq++;
    const ops: TxnOp[] = writes.map((w) => ({ type: 'put', key: this.key(groupId, w), value: encodeValue(w) }));
    await this.apply(ops);
    for (const w of writes) this.remember(groupId, w, seq);
  }

  /** Deletes the named partitions' offsets, or all of the group's when `partitions` is omitted. */
  async delete(groupId: string, partitions?: TopicPartition[]): Promise<void> {
    const targets = partitions ?? this.all(groupId);
    const present = targets.filter((tp) => this.get(groupId, tp.topic, tp.partition));
    if (present.length === 0) return;
    const seq = this.nextSeq++;
    await this.apply(present.map((tp) => ({ type: 'delete', key: this.key(groupId, tp) })));
    const cached = this.groups.get(groupId);
    for (const tp of present) {
      const entry = cached?.get(partitionKey(tp.topic, tp.partition));
      if (entry && entry.seq < seq) {
        cached?.delete(partitionKey(tp.topic, tp.partition));
        this.count -= 1;
      }
    }
    if (cached?.size === 0) this.groups.delete(groupId);
  }

  /** One transaction per txnOpsMax operations; chunks go out together so one group commit covers them. */
  private async apply(ops: TxnOp[]): Promise<void> {
    const chunks: TxnOp[][] = [];
    for (let i = 0; i < ops.length; i += COORDINATION_LIMITS.txnOpsMax) chunks.push(ops.slice(i, i + COORDINATION_LIMITS.txnOpsMax));
    await Promise.all(chunks.map((chunk) => this.store.txn([], chunk)));
  }

  private remember(groupId: string, write: OffsetWrite, seq: number): void {
    let cached = this.groups.get(groupId);
    if (!cached) {
      cached = new Map();
      this.groups.set(groupId, cached);
    }
    const key = partitionKey(write.topic, write.partition);
    const previous = cached.get(key);
    if (previous && previous.seq > seq) return;
    if (!previous) this.count += 1;
    cached.set(key, {
      topic: write.topic, partition: write.partition, offset: write.offset, leaderEpoch: write.leaderEpoch,
      metadata: write.metadata, commitTimestampMs: write.commitTimestampMs, seq,
    });
  }

  private key(groupId: string, tp: TopicPartition): string {
    return this.keys.groupOffset(encodeURIComponent(groupId), tp.topic, tp.partition);
  }
}

function encodeValue(w: OffsetWrite): string {
  const value: StoredValue = { offset: w.offset.toString(), leaderEpoch: w.leaderEpoch, metadata: w.metadata, commitTimestampMs: w.commitTimestampMs };
  return JSON.stringify(value);
}

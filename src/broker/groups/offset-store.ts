/**
 * Committed group offsets, written through to the MetadataStore before a commit is answered
 * and cached in memory for OffsetFetch. One OffsetCommit request becomes one transaction (or a
 * few when it names more partitions than a transaction may hold), so the embedded store's group
 * commit turns many concurrent commits into few fsyncs. The cache follows the store through a
 * watch, ordered by store revision, so brokers sharing one store (a group's coordinator moving
 * in a cluster) all see every commit. Group ids are URI-encoded in keys so any id (even one
 * containing "/") maps to its own key range. In a cluster every write compares the group's
 * coordinator epoch and this broker's registration (coordinator-fence.ts): a paused
 * ex-coordinator cannot overwrite the new one's commits.
 */
import { COORDINATION_LIMITS, GROUP_LIMITS } from '../../limits';
import type { ClusterKeys } from '../../coordination/keys';
import type { MetadataStore, TxnOp, Watch, WatchEvent } from '../../coordination/metadata-store';
import type { OffsetWriteFence } from './coordinator-fence';
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

interface CachedOffset extends OffsetWrite {
  /** Store revision of the write: an older write, however late it is seen, never replaces a newer one. */
  revision: bigint;
}

interface ParsedKey extends TopicPartition {
  groupId: string;
}

const partitionKey = (topic: string, partition: number) => `${topic}\u0000${partition}`;

export class OffsetStore {
  private readonly groups = new Map<string, Map<string, CachedOffset>>();
  /** Keys deleted here whose delete the watch has not delivered yet: older puts seen meanwhile are stale. */
  private readonly tombstones = new Map<string, bigint>();
  private watchRevision = 0n;
  private watch: Watch | null = null;
  private count = 0;
  private readonly root: string;

  private constructor(private readonly store: MetadataStore, private readonly keys: ClusterKeys,
    private readonly committedOffsetsMax: number, private readonly fence: OffsetWriteFence | null) {
    this.root = keys.groupOffsetsPrefix('\u0000').split('\u0000')[0];
  }

  /** Loads every committed offset of the cluster prefix and follows later changes. */
  /** `fence`: cluster mode, owned (closed) by the store from here on. */
  static async open(store: MetadataStore, keys: ClusterKeys, committedOffsetsMax: number = GROUP_LIMITS.committedOffsetsMax,
    fence: OffsetWriteFence | null = null): Promise<OffsetStore> {
    const offsets = new OffsetStore(store, keys, committedOffsetsMax, fence);
    // Watch first, then list: nothing written in between is missed; revisions drop what both report.
    const early: WatchEvent[] = [];
    let listed = false;
    offsets.watch = await store.watch(offsets.root, (event) => (listed ? offsets.onEvent(event) : early.push(event)));
    for (const kv of await store.list(offsets.root)) offsets.applyPut(kv.key, kv.value, kv.modRevision);
    listed = true;
    for (const event of early) offsets.onEvent(event);
    return offsets;
  }

  async close(): Promise<void> {
    await this.watch?.cancel();
    this.watch = null;
    await this.fence?.close();
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
    const keyed = writes.map((w) => ({ key: this.key(groupId, w), value: encodeValue(w) }));
    const revisions = await this.apply(groupId, keyed.map(({ key, value }): TxnOp => ({ type: 'put', key, value })));
    keyed.forEach(({ key, value }, i) => this.applyPut(key, value, revisions[i]));
  }

  /**
   * Deletes the named partitions' offsets, or the whole group's when `partitions` is omitted:
   * then the group's coordinator claim goes in the same transaction (one right after them when
   * the offsets need several), so no claim outlives its group.
   */
  async delete(groupId: string, partitions?: TopicPartition[]): Promise<void> {
    const targets = partitions ?? this.all(groupId);
    const keys = targets.filter((tp) => this.get(groupId, tp.topic, tp.partition)).map((tp) => this.key(groupId, tp));
    const release = partitions === undefined && this.fence ? () => this.fence!.releaseOps(groupId) : null;
    if (keys.length === 0 && !release) return;
    const revisions = await this.apply(groupId, keys.map((key): TxnOp => ({ type: 'delete', key })), release);
    keys.forEach((key, i) => {
      if (this.watchRevision < revisions[i]) this.tombstones.set(key, revisions[i]);
      this.applyDelete(key, revisions[i]);
    });
  }

  /** Whether the group is this broker's to serve without claiming it first (always outside cluster mode). */
  claimed(groupId: string): boolean {
    return this.fence?.holds(groupId) ?? true;
  }

  /** Claims the group for this broker (cluster mode) before it admits members; GroupError not-coordinator when it cannot. */
  async claim(groupId: string): Promise<void> {
    await this.fence?.claim(groupId);
  }

  /** Deletes the group's coordinator claim if this broker holds it (an Empty group without offsets is forgotten). */
  async release(groupId: string): Promise<void> {
    await this.fence?.release(groupId);
  }

  /**
   * One transaction per txnOpsMax operations, sent together so one group commit covers them;
   * the revision of each op. `last` (taken after the claim is checked) goes with the ops when
   * they fit one transaction, else in one of its own once all others succeeded: the chunks run
   * concurrently and each compares what `last` may delete (the group's claim).
   */
  private async apply(groupId: string, ops: TxnOp[], last: (() => TxnOp[]) | null = null): Promise<bigint[]> {
    const compares = (await this.fence?.compares(groupId)) ?? [];
    const closing = last?.() ?? [];
    const perTxn = COORDINATION_LIMITS.txnOpsMax - compares.length;
    const chunks: TxnOp[][] = [];
    for (let i = 0; i < ops.length; i += perTxn) chunks.push(ops.slice(i, i + perTxn));
    const together = closing.length > 0 && chunks.length <= 1 && ops.length + closing.length <= perTxn;
    if (together) chunks.length === 0 ? chunks.push([...closing]) : chunks[0].push(...closing);
    const results = await Promise.all(chunks.map((chunk) => this.store.txn(compares, chunk)));
    if (results.every((r) => r.succeeded) && closing.length > 0 && !together) results.push(await this.store.txn(compares, closing));
    if (results.some((r) => !r.succeeded)) {
      this.fence?.lost(groupId);
      throw new GroupError('not-coordinator', `offset write of group ${groupId} fenced: another broker claimed the group since, or this broker's registration expired`);
    }
    return ops.map((_, i) => results[Math.floor(i / perTxn)].revision);
  }

  private onEvent(event: WatchEvent): void {
    this.fence?.observe(event);
    const revision = event.type === 'put' ? event.kv.modRevision : event.modRevision;
    if (revision > this.watchRevision) this.watchRevision = revision;
    const key = event.type === 'put' ? event.kv.key : event.key;
    const tombstone = this.tombstones.get(key);
    // The watch has caught up with our own delete: nothing older can arrive any more.
    if (tombstone !== undefined && revision >= tombstone) this.tombstones.delete(key);
    if (event.type === 'put') this.applyPut(key, event.kv.value, revision);
    else this.applyDelete(key, revision);
  }

  private applyPut(key: string, raw: string, revision: bigint): void {
    const parsed = this.parseKey(key);
    const tombstone = this.tombstones.get(key);
    if (!parsed || (tombstone !== undefined && revision < tombstone)) return;
    let cached = this.groups.get(parsed.groupId);
    if (!cached) {
      cached = new Map();
      this.groups.set(parsed.groupId, cached);
    }
    const previous = cached.get(partitionKey(parsed.topic, parsed.partition));
    if (previous && previous.revision >= revision) return;
    if (!previous) this.count += 1;
    const value = JSON.parse(raw) as StoredValue;
    cached.set(partitionKey(parsed.topic, parsed.partition), {
      topic: parsed.topic, partition: parsed.partition, offset: BigInt(value.offset), leaderEpoch: value.leaderEpoch,
      metadata: value.metadata, commitTimestampMs: value.commitTimestampMs, revision,
    });
  }

  private applyDelete(key: string, revision: bigint): void {
    const parsed = this.parseKey(key);
    const cached = parsed && this.groups.get(parsed.groupId);
    if (!parsed || !cached) return;
    const previous = cached.get(partitionKey(parsed.topic, parsed.partition));
    if (!previous || previous.revision > revision) return;
    cached.delete(partitionKey(parsed.topic, parsed.partition));
    this.count -= 1;
    if (cached.size === 0) this.groups.delete(parsed.groupId);
  }

  /** `<root><uri-encoded group>/offsets/<topic>/<partition>`; topic names never contain "/". */
  private parseKey(key: string): ParsedKey | null {
    if (!key.startsWith(this.root)) return null;
    const parts = key.slice(this.root.length).split('/');
    if (parts.length !== 4 || parts[1] !== 'offsets') return null;
    return { groupId: decodeURIComponent(parts[0]), topic: parts[2], partition: Number(parts[3]) };
  }

  private key(groupId: string, tp: TopicPartition): string {
    return this.keys.groupOffset(encodeURIComponent(groupId), tp.topic, tp.partition);
  }
}

function encodeValue(w: OffsetWrite): string {
  const value: StoredValue = { offset: w.offset.toString(), leaderEpoch: w.leaderEpoch, metadata: w.metadata, commitTimestampMs: w.commitTimestampMs };
  return JSON.stringify(value);
}

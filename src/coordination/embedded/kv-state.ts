import type { Compare, KeyValue, TxnOp, WatchEvent } from '../metadata-store';
import { SortedKeys } from './sorted-keys';

/** One key change of a committed transaction: a put (with its lease) or a delete. */
export type Change =
  | { type: 'put'; key: string; value: string; leaseId?: string }
  | { type: 'delete'; key: string };

/** A committed transaction as the log stores it: every change shares one revision. */
export interface CommitRecord {
  revision: bigint;
  changes: Change[];
}

/**
 * The embedded store's keys in memory. Evaluation expands a transaction into concrete changes
 * (deletePrefix becomes the deletes of the keys present), so replaying the log is a plain
 * re-application of changes and never depends on evaluation order.
 */
export class KvState {
  private readonly kvs = new Map<string, KeyValue>();
  private readonly sorted = new SortedKeys();
  private readonly keysByLease = new Map<string, Set<string>>();
  private currentRevision = 0n;

  get revision(): bigint {
    return this.currentRevision;
  }

  get(key: string): KeyValue | null {
    const kv = this.kvs.get(key);
    return kv === undefined ? null : { ...kv };
  }

  list(prefix: string): KeyValue[] {
    return this.sorted.withPrefix(prefix).map((key) => ({ ...this.kvs.get(key)! }));
  }

  all(): KeyValue[] {
    return [...this.kvs.values()].map((kv) => ({ ...kv }));
  }

  keysOfLease(leaseId: string): string[] {
    return [...(this.keysByLease.get(leaseId) ?? [])];
  }

  leasedKeys(): string[] {
    return [...this.keysByLease.values()].flatMap((keys) => [...keys]);
  }

  holds(compare: Compare): boolean {
    const kv = this.kvs.get(compare.key);
    if ('modRevision' in compare) return (kv?.modRevision ?? 0n) === compare.modRevision;
    // As etcd: a value compare on a missing key fails (no value can equal "absent").
    return kv !== undefined && kv.value === compare.value;
  }

  /** The changes ops would make, or null when they change nothing (no new revision, as etcd). */
  plan(ops: TxnOp[]): Change[] | null {
    const changes: Change[] = [];
    // Presence of keys touched earlier in this transaction; others are as stored.
    const touched = new Map<string, boolean>();
    const present = (key: string) => touched.get(key) ?? this.kvs.has(key);
    for (const op of ops) {
      if (op.type === 'put') {
        changes.push({ type: 'put', key: op.key, value: op.value, ...(op.leaseId ? { leaseId: op.leaseId } : {}) });
        touched.set(op.key, true);
      } else if (op.type === 'delete') {
        if (present(op.key)) changes.push({ type: 'delete', key: op.key });
        touched.set(op.key, false);
      } else {
        const candidates = new Set([...this.sorted.withPrefix(op.prefix), ...[...touched.keys()].filter((key) => key.startsWith(op.prefix))]);
        for (const key of candidates) {
          if (present(key)) changes.push({ type: 'delete', key });
          touched.set(key, false);
        }
      }
    }
    return changes.length === 0 ? null : changes;
  }

  /** Applies a record (live or replayed) and returns the watch events it produces. */
  apply(record: CommitRecord): WatchEvent[] {
    const events: WatchEvent[] = [];
    for (const change of record.changes) {
      if (change.type === 'put') events.push({ type: 'put', kv: this.put(change, record.revision) });
      else if (this.remove(change.key)) events.push({ type: 'delete', key: change.key, modRevision: record.revision });
    }
    this.currentRevision = record.revision;
    return events;
  }

  /** Loads a snapshot into an empty state. */
  load(revision: bigint, kvs: KeyValue[]): void {
    this.sorted.reset(kvs.map((kv) => kv.key));
    for (const kv of kvs) {
      this.kvs.set(kv.key, { ...kv });
      if (kv.leaseId !== undefined) this.indexLease(kv.leaseId, kv.key);
    }
    this.currentRevision = revision;
  }

  private put(change: Extract<Change, { type: 'put' }>, revision: bigint): KeyValue {
    const previous = this.kvs.get(change.key);
    if (previous?.leaseId !== undefined) this.unindexLease(previous.leaseId, change.key);
    const kv: KeyValue = {
      key: change.key,
      value: change.value,
      modRevision: revision,
      createRevision: previous?.createRevision ?? revision,
      ...(change.leaseId ? { leaseId: change.leaseId } : {}),
    };
    this.kvs.set(change.key, kv);
    if (previous === undefined) this.sorted.add(change.key);
    if (change.leaseId) this.indexLease(change.leaseId, change.key);
    return { ...kv };
  }

  private remove(key: string): boolean {
    const previous = this.kvs.get(key);
    if (previous === undefined) return false;
    if (previous.leaseId !== undefined) this.unindexLease(previous.leaseId, key);
    this.kvs.delete(key);
    this.sorted.remove(key);
    return true;
  }

  private indexLease(leaseId: string, key: string): void {
    const keys = this.keysByLease.get(leaseId) ?? new Set<string>();
    keys.add(key);
    this.keysByLease.set(leaseId, keys);
  }

  private unindexLease(leaseId: string, key: string): void {
    const keys = this.keysByLease.get(leaseId);
    keys?.delete(key);
    if (keys?.size === 0) this.keysByLease.delete(leaseId);
  }
}

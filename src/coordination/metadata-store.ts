/**
 * Shared cluster metadata: a small key-value store with revisions, compare-and-swap
 * transactions, prefix watches and leases. Implemented by the embedded store (single node,
 * persisted in the data dir) and by etcd. Values are strings (JSON by convention).
 * Revisions are store-wide and increase with every write, as in etcd (mod_revision).
 */

export interface KeyValue {
  key: string;
  value: string;
  /** Revision of the last write to this key. */
  modRevision: bigint;
  /** Revision at which the key was created. */
  createRevision: bigint;
  /** Lease the key is attached to, if any. */
  leaseId?: string;
}

/** A condition of a transaction. modRevision 0n means "the key does not exist". */
export type Compare =
  | { key: string; modRevision: bigint }
  | { key: string; value: string };

export type TxnOp =
  | { type: 'put'; key: string; value: string; leaseId?: string }
  | { type: 'delete'; key: string }
  | { type: 'deletePrefix'; prefix: string };

export interface TxnResult {
  succeeded: boolean;
  /** Store revision after the transaction (or current revision when it did not apply). */
  revision: bigint;
}

export type WatchEvent =
  | { type: 'put'; kv: KeyValue }
  | { type: 'delete'; key: string; modRevision: bigint };

export interface Watch {
  cancel(): Promise<void>;
}

export interface LeaseOptions {
  /**
   * Renew the lease while this process lives (default true). false lets it expire after ttlMs:
   * used by tests and by callers that renew nothing on purpose.
   */
  keepAlive?: boolean;
}

export interface Lease {
  readonly id: string;
  readonly ttlMs: number;
  /** Called once if the lease expires or cannot be renewed; keys under it are gone. */
  onLost(listener: () => void): void;
  /**
   * True while the lease is known to hold its keys: for a kept-alive lease, a renewal was
   * confirmed within ttlMs. False while renewals are overdue (the store may be electing a raft
   * leader: etcd extends every lease when a new leader takes over, so an overdue lease often
   * lives on) and for good once lost or revoked. A holder acts on its keys only while current.
   */
  isCurrent(): boolean;
  /** Ends the lease now; its keys are deleted. */
  revoke(): Promise<void>;
}

export interface MetadataStore {
  get(key: string): Promise<KeyValue | null>;
  /** Every key under the prefix, sorted by key. */
  list(prefix: string): Promise<KeyValue[]>;
  /** All ops apply atomically if every compare holds; otherwise nothing changes. */
  txn(compares: Compare[], ops: TxnOp[]): Promise<TxnResult>;
  /** Events for keys under the prefix, in revision order, after the current revision. */
  watch(prefix: string, onEvent: (event: WatchEvent) => void): Promise<Watch>;
  /** A lease kept alive by the store client until revoked or lost (or expiring, keepAlive false). */
  grantLease(ttlMs: number, options?: LeaseOptions): Promise<Lease>;
  close(): Promise<void>;
}

import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { COORDINATION_LIMITS } from '../../limits';
import { componentLogger } from '../../log';
import { CoordinationError } from '../errors';
import type { Compare, KeyValue, Lease, LeaseOptions, MetadataStore, TxnOp, TxnResult, Watch, WatchEvent } from '../metadata-store';
import { validateKey, validateTxn } from '../validate';
import { WatchHub } from '../watch-hub';
import { lockDirectory } from './dir-lock';
import { FsyncCounter } from './durable-file';
import { EmbeddedLease } from './embedded-lease';
import { type Change, KvState } from './kv-state';
import { encodeRecord } from './record-codec';
import { readSnapshot, writeSnapshot } from './snapshot';
import { TxnLog } from './txn-log';

const log = componentLogger('embedded-metadata-store');

export interface EmbeddedStoreOptions {
  /** Log bytes after which a snapshot replaces it (default COORDINATION_LIMITS.embeddedLogBytesMax). */
  logBytesMax?: number;
  /** Group-commit window (default COORDINATION_LIMITS.embeddedGroupCommitWindowMs); 0 flushes at once. */
  groupCommitWindowMs?: number;
  /** Commits waiting for fsync before writes are refused (default COORDINATION_LIMITS.embeddedPendingCommitsMax). */
  pendingCommitsMax?: number;
}

export interface EmbeddedStoreStats {
  /** fsync/fdatasync calls issued since open (log batches, snapshots, directory syncs). */
  fsyncs: number;
  /** Transactions that changed something since open. */
  commits: number;
  revision: bigint;
  logBytes: number;
}

/**
 * The single-node MetadataStore, persisted in a directory: an append-only log of committed
 * transactions (group-committed, see TxnLog) plus a snapshot written when the log grows past
 * embeddedLogBytesMax. State changes are applied in memory at once so later transactions see
 * them, but no caller learns of them (reply, read, watch event) before the fdatasync covering them.
 */
export class EmbeddedMetadataStore implements MetadataStore {
  private readonly hub = new WatchHub();
  private readonly leases = new Map<string, EmbeddedLease>();
  private commits = 0;
  private closing = false;

  private constructor(
    private readonly state: KvState,
    private readonly txnLog: TxnLog,
    private readonly fsyncs: FsyncCounter,
    private readonly unlock: () => Promise<void>,
  ) {}

  static async open(dir: string, options: EmbeddedStoreOptions = {}): Promise<EmbeddedMetadataStore> {
    const logBytesMax = options.logBytesMax ?? COORDINATION_LIMITS.embeddedLogBytesMax;
    await mkdir(dir, { recursive: true });
    const unlock = await lockDirectory(dir);
    let opened: TxnLog | undefined;
    try {
      const state = new KvState();
      const snapshot = await readSnapshot(dir);
      state.load(snapshot.revision, snapshot.kvs);
      const fsyncs = new FsyncCounter();
      const { log: txnLog, records } = await TxnLog.open(dir, fsyncs, {
        groupCommitWindowMs: options.groupCommitWindowMs ?? COORDINATION_LIMITS.embeddedGroupCommitWindowMs,
        pendingCommitsMax: options.pendingCommitsMax ?? COORDINATION_LIMITS.embeddedPendingCommitsMax,
        betweenBatches: (log) => compactIfLarge(dir, state, log, fsyncs, logBytesMax),
      });
      opened = txnLog;
      for (const record of records) if (record.revision > state.revision) state.apply(record);
      const store = new EmbeddedMetadataStore(state, txnLog, fsyncs, unlock);
      await store.dropLeasedKeysOfPreviousOwner();
      return store;
    } catch (error) {
      await opened?.close().catch(() => undefined);
      await unlock();
      throw error;
    }
  }

  stats(): EmbeddedStoreStats {
    return { fsyncs: this.fsyncs.count, commits: this.commits, revision: this.state.revision, logBytes: this.txnLog.bytes };
  }

  async get(key: string): Promise<KeyValue | null> {
    this.ensureOpen();
    validateKey(key);
    const found = this.state.get(key);
    await this.txnLog.whenDurable();
    return found;
  }

  async list(prefix: string): Promise<KeyValue[]> {
    this.ensureOpen();
    const found = this.state.list(prefix);
    await this.txnLog.whenDurable();
    return found;
  }

  async txn(compares: Compare[], ops: TxnOp[]): Promise<TxnResult> {
    this.ensureOpen();
    validateTxn(compares, ops);
    for (const op of ops) {
      if (op.type === 'put' && op.leaseId !== undefined && !this.leases.has(op.leaseId)) {
        throw new CoordinationError('LEASE_NOT_FOUND', `lease ${op.leaseId} does not exist (expired or revoked)`);
      }
    }
    const changes = compares.every((compare) => this.state.holds(compare)) ? this.state.plan(ops) : undefined;
    if (!changes) {
      const revision = this.state.revision;
      await this.txnLog.whenDurable();
      return { succeeded: changes === null, revision };
    }
    return { succeeded: true, revision: await this.commit(changes) };
  }

  async watch(prefix: string, onEvent: (event: WatchEvent) => void): Promise<Watch> {
    this.ensureOpen();
    // Events reach watchers right after their fdatasync, so "from now" is after the last delivered revision.
    const id = this.hub.add(prefix, onEvent);
    return { cancel: async () => this.hub.remove(id) };
  }

  async grantLease(ttlMs: number, options: LeaseOptions = {}): Promise<Lease> {
    this.ensureOpen();
    if (!Number.isInteger(ttlMs) || ttlMs <= 0) {
      throw new CoordinationError('INVALID_REQUEST', `lease TTL must be a positive integer of ms, got ${ttlMs}`);
    }
    const lease = new EmbeddedLease(randomBytes(8).toString('hex'), ttlMs, (ended) => this.endLease(ended, false));
    this.leases.set(lease.id, lease);
    if (options.keepAlive === false) {
      lease.expireAfterTtl((expired) => {
        this.endLease(expired, true).catch((error) => log.error({ err: error, leaseId: expired.id }, 'lease expiry failed'));
      });
    }
    return lease;
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    // The owner of the leases is going away: their keys go with it, as with etcd.
    await Promise.allSettled([...this.leases.values()].map((lease) => this.endLease(lease, false)));
    await this.txnLog.whenDurable().catch(() => undefined);
    await this.txnLog.close();
    await this.unlock();
  }

  private ensureOpen(): void {
    if (this.closing) throw new CoordinationError('STORE_CLOSED', 'metadata store is closed');
  }

  /** Applies changes at the next revision and resolves with it once durable. */
  private async commit(changes: Change[]): Promise<bigint> {
    // Refuse before touching memory: state must never hold a change the log will not record.
    this.txnLog.checkWritable();
    const record = { revision: this.state.revision + 1n, changes };
    const events = this.state.apply(record);
    this.commits += 1;
    await this.txnLog.append(encodeRecord(record), () => this.hub.dispatch(events));
    return record.revision;
  }

  private async endLease(lease: EmbeddedLease, lost: boolean): Promise<void> {
    if (!lease.markEnded()) return;
    this.leases.delete(lease.id);
    const keys = this.state.keysOfLease(lease.id);
    if (keys.length > 0) await this.commit(keys.map((key) => ({ type: 'delete', key })));
    if (lost) lease.notifyLost();
  }

  /** Leases never outlive their process: keys leased by a crashed previous owner are deleted. */
  private async dropLeasedKeysOfPreviousOwner(): Promise<void> {
    const keys = this.state.leasedKeys();
    if (keys.length > 0) await this.commit(keys.map((key) => ({ type: 'delete', key })));
  }
}

async function compactIfLarge(dir: string, state: KvState, txnLog: TxnLog, fsyncs: FsyncCounter, logBytesMax: number):
  Promise<void> {
  if (txnLog.bytes < logBytesMax) return;
  // The state may include commits still queued for the log: the snapshot makes them durable too,
  // and replay skips their frames (revision <= snapshot revision) once they land in the new log.
  await writeSnapshot(dir, { revision: state.revision, kvs: state.all() }, fsyncs);
  await txnLog.restart();
}

import type { Etcd3, Watcher } from 'etcd3';
import { COORDINATION_LIMITS } from '../../limits';
import { componentLogger } from '../../log';
import { CoordinationError } from '../errors';
import type { Compare, KeyValue, Lease, LeaseOptions, MetadataStore, TxnOp, TxnResult, Watch, WatchEvent } from '../metadata-store';
import { validateKey, validateTxn } from '../validate';
import { deliver } from '../watch-hub';
import { createEtcdClient, toCoordinationError } from './etcd-client';
import { prefixEnd, toCompare, toKeyValue, toRequestOp } from './etcd-codec';
import { EtcdLease } from './etcd-lease';

const log = componentLogger('etcd-metadata-store');

/**
 * MetadataStore on etcd. Revisions are etcd's (mod_revision / create_revision / header.revision).
 * Every unary call has a deadline and bounded retries (etcd-client.ts); an etcd outage surfaces
 * as rejected promises with code STORE_UNAVAILABLE and as lost leases, never as a crash.
 * A retried write may already have been applied: guard writes with compares (as every cluster
 * piece here does) and re-read after an ambiguous failure.
 */
export class EtcdMetadataStore implements MetadataStore {
  private readonly leases = new Set<EtcdLease>();
  private readonly watchers = new Set<Watcher>();
  private closing = false;

  private constructor(private readonly client: Etcd3) {}

  /** Connects lazily: the first call fails with STORE_UNAVAILABLE if no endpoint answers. */
  static connect(endpoints: string[]): EtcdMetadataStore {
    if (endpoints.length === 0) throw new CoordinationError('INVALID_REQUEST', 'etcd needs at least one endpoint');
    return new EtcdMetadataStore(createEtcdClient(endpoints));
  }

  async get(key: string): Promise<KeyValue | null> {
    this.ensureOpen();
    validateKey(key);
    const response = await this.call('get', () => this.client.kv.range({ key: Buffer.from(key) }));
    return response.kvs.length === 0 ? null : toKeyValue(response.kvs[0]);
  }

  /**
   * Reads the prefix in pages of etcdListPageKeysMax keys (a gRPC message has a size limit), all
   * at the revision of the first page so the result is one consistent snapshot, sorted by key bytes.
   */
  async list(prefix: string): Promise<KeyValue[]> {
    this.ensureOpen();
    const end = prefixEnd(prefix);
    const found: KeyValue[] = [];
    // etcd reads an empty key as "no key given"; "\0" is the start of the keyspace.
    let from = prefix === '' ? Buffer.from([0]) : Buffer.from(prefix);
    let revision: string | undefined;
    for (;;) {
      const page = await this.call('list', () => this.client.kv.range({
        key: from, range_end: end, limit: COORDINATION_LIMITS.etcdListPageKeysMax, ...(revision ? { revision } : {}),
      }));
      revision ??= page.header.revision;
      found.push(...page.kvs.map(toKeyValue));
      if (!page.more || page.kvs.length === 0) return found;
      // The next page starts right after the last key: the key plus a zero byte.
      from = Buffer.concat([page.kvs[page.kvs.length - 1].key, Buffer.from([0])]);
    }
  }

  async txn(compares: Compare[], ops: TxnOp[]): Promise<TxnResult> {
    this.ensureOpen();
    validateTxn(compares, ops);
    const response = await this.call('txn', () =>
      this.client.kv.txn({ compare: compares.map(toCompare), success: ops.map(toRequestOp), failure: [] }));
    return { succeeded: response.succeeded, revision: BigInt(response.header.revision) };
  }

  async watch(prefix: string, onEvent: (event: WatchEvent) => void): Promise<Watch> {
    this.ensureOpen();
    if (this.watchers.size >= COORDINATION_LIMITS.watchesMax) {
      throw new CoordinationError('STORE_OVERLOADED', `${this.watchers.size} watches already open (watchesMax)`);
    }
    const watcher = await this.createWatcher(prefix);
    this.watchers.add(watcher);
    watcher.on('put', (kv) => deliver(onEvent, { type: 'put', kv: toKeyValue(kv) }));
    watcher.on('delete', (kv) => deliver(onEvent, { type: 'delete', key: kv.key.toString(), modRevision: BigInt(kv.mod_revision) }));
    return {
      cancel: async () => {
        if (!this.watchers.delete(watcher)) return;
        await watcher.cancel().catch((error: unknown) => log.warn({ err: error, prefix }, 'watch cancel failed'));
      },
    };
  }

  async grantLease(ttlMs: number, options: LeaseOptions = {}): Promise<Lease> {
    this.ensureOpen();
    if (!Number.isInteger(ttlMs) || ttlMs <= 0) {
      throw new CoordinationError('INVALID_REQUEST', `lease TTL must be a positive integer of ms, got ${ttlMs}`);
    }
    const lease = await EtcdLease.grant(this.client, ttlMs, options, (ended) => this.leases.delete(ended));
    this.leases.add(lease);
    return lease;
  }

  /** Revokes leases and cancels watches first: etcd3's close() alone leaves keepalives running (environment.md §3). */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    const revokes = [...this.leases].map((lease) => lease.revoke());
    const cancels = [...this.watchers].map((watcher) => watcher.cancel());
    this.watchers.clear();
    for (const outcome of await Promise.allSettled([...revokes, ...cancels])) {
      if (outcome.status === 'rejected') log.warn({ err: outcome.reason }, 'cleanup at close failed');
    }
    this.client.close();
  }

  private ensureOpen(): void {
    if (this.closing) throw new CoordinationError('STORE_CLOSED', 'metadata store is closed');
  }

  private async call<T>(action: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw toCoordinationError(error, action);
    }
  }

  /** Watch creation is a stream call (no gRPC deadline): bound it here so an outage cannot hang it. */
  private async createWatcher(prefix: string): Promise<Watcher> {
    const creating = this.client.watch().prefix(prefix).create();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new CoordinationError('STORE_UNAVAILABLE',
        `watch ${prefix}: etcd did not confirm the watch within ${COORDINATION_LIMITS.etcdWatchCreateMsMax} ms`)),
      COORDINATION_LIMITS.etcdWatchCreateMsMax);
    });
    try {
      const watcher = await Promise.race([creating, timeout]);
      watcher.on('error', (error) => log.warn({ err: error, prefix }, 'etcd watch error; etcd3 reconnects it'));
      return watcher;
    } catch (error) {
      creating.then((late) => late.cancel(), () => undefined).catch(() => undefined);
      throw toCoordinationError(error, `watch ${prefix}`);
    } finally {
      clearTimeout(timer);
    }
  }
}

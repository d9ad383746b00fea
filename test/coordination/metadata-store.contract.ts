import { expect } from 'chai';
import { isCoordinationError } from '../../src/coordination/errors';
import type { MetadataStore, WatchEvent } from '../../src/coordination/metadata-store';
import { COORDINATION_LIMITS } from '../../src/limits';
import { describeEvent, eventually, put, sleep, uniquePrefix } from './helpers';

export interface StoreUnderTest {
  /** Opens a client of the store; the suite closes it. */
  open(): Promise<MetadataStore>;
  /** Shortest lease TTL the store honours (etcd rounds shorter ones up). */
  leaseTtlMs: number;
}

/** The behaviour every MetadataStore must show (CONVENTIONS §9: one suite, every implementation). */
export function metadataStoreContract(name: string, setup: () => StoreUnderTest): void {
  describe(`MetadataStore contract: ${name}`, function () {
    let store: MetadataStore;
    let prefix: string;
    let subject: StoreUnderTest;

    before(async () => {
      subject = setup();
      store = await subject.open();
    });
    after(async () => store?.close());
    beforeEach(() => {
      prefix = uniquePrefix('contract');
    });

    it('returns null for a key that was never written', async () => {
      expect(await store.get(`${prefix}missing`)).to.equal(null);
    });

    it('reads back a put with its revision as both mod and create revision', async () => {
      const revision = await put(store, `${prefix}a`, 'one');
      const kv = await store.get(`${prefix}a`);
      expect(kv).to.include({ key: `${prefix}a`, value: 'one', modRevision: revision, createRevision: revision });
    });

    it('creates a key only if absent when compared with modRevision 0n', async () => {
      const key = `${prefix}owner`;
      const first = await store.txn([{ key, modRevision: 0n }], [{ type: 'put', key, value: 'first' }]);
      const second = await store.txn([{ key, modRevision: 0n }], [{ type: 'put', key, value: 'second' }]);
      expect(first.succeeded).to.equal(true);
      expect(second.succeeded).to.equal(false);
      expect((await store.get(key))?.value).to.equal('first');
    });

    it('refuses a write guarded by a stale revision and changes nothing', async () => {
      const key = `${prefix}cas`;
      const created = await put(store, key, 'v1');
      const updated = await store.txn([{ key, modRevision: created }], [{ type: 'put', key, value: 'v2' }]);
      const stale = await store.txn([{ key, modRevision: created }],
        [{ type: 'put', key, value: 'v3' }, { type: 'put', key: `${prefix}side`, value: 'x' }]);
      expect(updated.succeeded).to.equal(true);
      expect(stale.succeeded).to.equal(false);
      expect(await store.get(key)).to.include({ value: 'v2', modRevision: updated.revision, createRevision: created });
      expect(await store.get(`${prefix}side`)).to.equal(null);
    });

    it('compares values, and a value compare on a missing key fails', async () => {
      const key = `${prefix}val`;
      await put(store, key, 'red');
      const match = await store.txn([{ key, value: 'red' }], [{ type: 'put', key, value: 'green' }]);
      const mismatch = await store.txn([{ key, value: 'red' }], [{ type: 'put', key, value: 'blue' }]);
      const missing = await store.txn([{ key: `${prefix}none`, value: '' }], [{ type: 'put', key, value: 'x' }]);
      expect([match.succeeded, mismatch.succeeded, missing.succeeded]).to.deep.equal([true, false, false]);
      expect((await store.get(key))?.value).to.equal('green');
    });

    it('applies every op of a transaction at one revision, or none of them', async () => {
      await put(store, `${prefix}old/1`, 'a');
      await put(store, `${prefix}old/2`, 'b');
      await put(store, `${prefix}gone`, 'c');
      const failed = await store.txn([{ key: `${prefix}gone`, value: 'not-c' }], [
        { type: 'put', key: `${prefix}new`, value: 'n' },
        { type: 'delete', key: `${prefix}gone` },
        { type: 'deletePrefix', prefix: `${prefix}old/` },
      ]);
      expect(failed.succeeded).to.equal(false);
      expect((await store.list(prefix)).map((kv) => kv.key)).to.have.length(3);
      const applied = await store.txn([{ key: `${prefix}gone`, value: 'c' }], [
        { type: 'put', key: `${prefix}new`, value: 'n' },
        { type: 'delete', key: `${prefix}gone` },
        { type: 'deletePrefix', prefix: `${prefix}old/` },
      ]);
      expect(applied.succeeded).to.equal(true);
      const left = await store.list(prefix);
      expect(left.map((kv) => [kv.key, kv.modRevision])).to.deep.equal([[`${prefix}new`, applied.revision]]);
    });

    it('lists keys under a prefix sorted by key and nothing outside it', async () => {
      for (const suffix of ['b', 'a/2', 'c', 'a/10', 'a']) await put(store, `${prefix}list/${suffix}`, suffix);
      await put(store, `${prefix}listx`, 'outside');
      const keys = (await store.list(`${prefix}list/`)).map((kv) => kv.key.slice(`${prefix}list/`.length));
      expect(keys).to.deep.equal(['a', 'a/10', 'a/2', 'b', 'c']);
    });

    it('lists a prefix holding more keys than one page of etcd\'s listing, in order', async () => {
      const total = COORDINATION_LIMITS.etcdListPageKeysMax * 2 + 7;
      const keys = Array.from({ length: total }, (_, i) => `${prefix}many/${String(i).padStart(4, '0')}`);
      for (let start = 0; start < total; start += 100) {
        await store.txn([], keys.slice(start, start + 100).map((key) => ({ type: 'put' as const, key, value: key })));
      }
      const listed = await store.list(`${prefix}many/`);
      expect(listed.map((kv) => kv.key)).to.deep.equal(keys);
      expect(listed.every((kv) => kv.value === kv.key)).to.equal(true);
    });

    it('increases revisions with every write and keeps the create revision across updates', async () => {
      const revisions: bigint[] = [];
      for (let i = 0; i < 5; i++) revisions.push(await put(store, `${prefix}mono`, String(i)));
      revisions.push((await store.txn([], [{ type: 'delete', key: `${prefix}mono` }])).revision);
      revisions.push(await put(store, `${prefix}mono`, 'again'));
      for (let i = 1; i < revisions.length; i++) expect(revisions[i] > revisions[i - 1]).to.equal(true);
      expect((await store.get(`${prefix}mono`))?.createRevision).to.equal(revisions[6]);
    });

    it('delivers watch events under the prefix in revision order, deletes included', async () => {
      const events: WatchEvent[] = [];
      const watch = await store.watch(`${prefix}w/`, (event) => events.push(event));
      const r1 = await put(store, `${prefix}w/a`, '1');
      const r2 = await put(store, `${prefix}w/b`, '2');
      await put(store, `${prefix}elsewhere`, 'x');
      const r3 = (await store.txn([], [{ type: 'delete', key: `${prefix}w/a` }])).revision;
      const r4 = (await store.txn([], [{ type: 'deletePrefix', prefix: `${prefix}w/` }])).revision;
      await eventually(() => events.length >= 4, 5000, 'four watch events');
      await watch.cancel();
      await put(store, `${prefix}w/late`, 'after cancel');
      await sleep(100);
      expect(events.map(describeEvent)).to.deep.equal([
        `put ${prefix}w/a=1@${r1}`, `put ${prefix}w/b=2@${r2}`, `delete ${prefix}w/a@${r3}`, `delete ${prefix}w/b@${r4}`,
      ]);
    });

    it('keeps events of concurrent writers in revision order', async () => {
      const events: WatchEvent[] = [];
      const watch = await store.watch(`${prefix}c/`, (event) => events.push(event));
      await Promise.all(Array.from({ length: 50 }, (_, i) => put(store, `${prefix}c/${i % 7}`, String(i))));
      await eventually(() => events.length >= 50, 5000, 'fifty watch events');
      await watch.cancel();
      const revisions = events.map((event) => (event.type === 'put' ? event.kv.modRevision : event.modRevision));
      expect(revisions).to.deep.equal([...revisions].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
      expect(new Set(revisions).size).to.equal(50);
    });

    it('deletes the keys of a revoked lease and reports the deletes to watchers', async () => {
      const events: WatchEvent[] = [];
      const watch = await store.watch(`${prefix}l/`, (event) => events.push(event));
      const lease = await store.grantLease(subject.leaseTtlMs);
      await put(store, `${prefix}l/a`, '1', lease.id);
      await put(store, `${prefix}l/b`, '2', lease.id);
      expect((await store.get(`${prefix}l/a`))?.leaseId).to.equal(lease.id);
      expect(lease.isCurrent(), 'a kept-alive lease right after its grant is current').to.equal(true);
      await lease.revoke();
      expect(lease.isCurrent(), 'a revoked lease is not current').to.equal(false);
      expect(await store.list(`${prefix}l/`)).to.deep.equal([]);
      await eventually(() => events.filter((event) => event.type === 'delete').length === 2, 5000, 'two delete events');
      await watch.cancel();
    });

    it('refuses a put under a lease that no longer exists', async () => {
      const lease = await store.grantLease(subject.leaseTtlMs);
      await lease.revoke();
      const error = await put(store, `${prefix}late`, 'x', lease.id).then(() => null, (e: unknown) => e);
      expect(isCoordinationError(error, 'LEASE_NOT_FOUND'), String(error)).to.equal(true);
      expect(await store.get(`${prefix}late`)).to.equal(null);
    });

    it('expires a lease that is not kept alive: keys deleted, watchers told, owner told once', async function () {
      this.timeout(subject.leaseTtlMs * 4 + 5000);
      const events: WatchEvent[] = [];
      const watch = await store.watch(`${prefix}x/`, (event) => events.push(event));
      const expiring = await store.grantLease(subject.leaseTtlMs, { keepAlive: false });
      const kept = await store.grantLease(subject.leaseTtlMs);
      let lostCalls = 0;
      expiring.onLost(() => { lostCalls += 1; });
      await put(store, `${prefix}x/expiring`, 'e', expiring.id);
      await put(store, `${prefix}x/kept`, 'k', kept.id);
      await eventually(async () => (await store.get(`${prefix}x/expiring`)) === null, subject.leaseTtlMs * 3 + 3000, 'leased key to expire');
      await eventually(() => lostCalls === 1, 3000, 'onLost to be called');
      await sleep(subject.leaseTtlMs / 2);
      expect((await store.get(`${prefix}x/kept`))?.value, 'a kept-alive lease outlives its TTL').to.equal('k');
      expect(events.map(describeEvent).filter((text) => text.startsWith('delete'))).to.have.length(1);
      expect(lostCalls).to.equal(1);
      expect(expiring.isCurrent(), 'an expired lease is not current').to.equal(false);
      expect(kept.isCurrent(), 'a kept-alive lease past its TTL is current').to.equal(true);
      await watch.cancel();
      await kept.revoke();
    });

    it('refuses a value over the size limit and a key put twice in one transaction, changing nothing', async () => {
      const big = 'x'.repeat(COORDINATION_LIMITS.valueBytesMax + 1);
      const tooBig = await put(store, `${prefix}big`, big).then(() => null, (e: unknown) => e);
      const twice = await store.txn([], [{ type: 'put', key: `${prefix}twice`, value: '1' }, { type: 'put', key: `${prefix}twice`, value: '2' }])
        .then(() => null, (e: unknown) => e);
      expect(isCoordinationError(tooBig, 'INVALID_REQUEST'), String(tooBig)).to.equal(true);
      expect(isCoordinationError(twice, 'INVALID_REQUEST'), String(twice)).to.equal(true);
      expect(await store.list(prefix)).to.deep.equal([]);
    });

    it('refuses a transaction with more ops than the limit, changing nothing', async () => {
      const ops = Array.from({ length: COORDINATION_LIMITS.txnOpsMax + 1 },
        (_, i) => ({ type: 'put' as const, key: `${prefix}many/${i}`, value: 'x' }));
      const error = await store.txn([], ops).then(() => null, (e: unknown) => e);
      expect(isCoordinationError(error, 'INVALID_REQUEST'), String(error)).to.equal(true);
      expect(await store.list(`${prefix}many/`)).to.deep.equal([]);
    });
  });
}

/**
 * The one ObjectStore contract (CONVENTIONS §9), run against every backend: fs, memory,
 * azblob on Azurite and s3 on s3rver. Each test works under its own key prefix.
 */
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { TIER_LIMITS } from '../../../src/limits';
import { ObjectNotFoundError, ObjectStore, ObjectStoreError, ObjectStoreUnsupportedError } from '../../../src/storage/objects/object-store';

export interface ObjectStoreFixture {
  store: ObjectStore;
  /** Whether the backend is expected to enforce putIfAbsent. */
  conditionalCreate: boolean;
  /** The size of the pieces a large put is handed over in, when the store splits one (see OpendalObjectStore.putInPieces). */
  putPieceBytes?: number;
  /** false where the server, not the store, shows an object while it is written (s3rver); default true. */
  visibleWhole?: boolean;
  close(): Promise<void>;
}

export function objectStoreContract(name: string, open: () => Promise<ObjectStoreFixture>): void {
  describe(`ObjectStore contract: ${name}`, function () {
    let fixture: ObjectStoreFixture;
    let store: ObjectStore;
    let prefix: string;
    let n = 0;

    before(async function () {
      fixture = await open();
      store = fixture.store;
    });
    after(async () => fixture?.close());
    beforeEach(() => {
      n += 1;
      prefix = `contract-${process.pid}-${Date.now()}-${n}/`;
    });

    it('reads back exactly the bytes it stored', async () => {
      const body = randomBytes(10_000);
      await store.put(`${prefix}a.bin`, body);
      expect((await store.get(`${prefix}a.bin`)).equals(body)).to.equal(true);
    });

    it('keeps the bytes it stored when the caller reuses the buffer after put resolves', async () => {
      const body = randomBytes(256 * 1024);
      const stored = Buffer.from(body);
      await store.put(`${prefix}reused.bin`, body);
      body.fill(0x5a);
      expect((await store.get(`${prefix}reused.bin`)).equals(stored)).to.equal(true);
    });

    it('stores an object of several put pieces whole (every byte in place) and keeps it when the buffer is reused', async () => {
      const pieceBytes = fixture.putPieceBytes ?? TIER_LIMITS.fsPutChunkBytes;
      const body = randomBytes(2 * pieceBytes + 12_345);
      const stored = Buffer.from(body);
      await store.put(`${prefix}pieces.bin`, body);
      body.fill(0x5a);
      expect((await store.get(`${prefix}pieces.bin`)).equals(stored)).to.equal(true);
      expect(await store.stat(`${prefix}pieces.bin`)).to.deep.equal({ key: `${prefix}pieces.bin`, sizeBytes: stored.length });
      for (const across of [pieceBytes - 100, Math.ceil(stored.length / 3) - 100, stored.length - 200]) {
        expect((await store.get(`${prefix}pieces.bin`, { offset: across, length: 200 })).equals(stored.subarray(across, across + 200))).to.equal(true);
      }
    });

    it('never shows part of an object put in pieces under its key (nothing, then every byte)', async function () {
      if (fixture.visibleWhole === false) this.skip();
      const pieceBytes = fixture.putPieceBytes ?? TIER_LIMITS.fsPutChunkBytes;
      const body = randomBytes(3 * pieceBytes + 1);
      const seen: Array<number | null> = [];
      let settled = false;
      const put = store.put(`${prefix}late.bin`, body).finally(() => { settled = true; });
      while (!settled) seen.push((await store.stat(`${prefix}late.bin`))?.sizeBytes ?? null);
      await put;
      expect(seen.length).to.be.greaterThan(0);
      expect(seen.filter((size) => size !== null && size !== body.length)).to.deep.equal([]);
      expect((await store.get(`${prefix}late.bin`)).equals(body)).to.equal(true);
    });

    it('serves a byte range from the middle of an object', async () => {
      const body = randomBytes(4096);
      await store.put(`${prefix}r.bin`, body);
      expect((await store.get(`${prefix}r.bin`, { offset: 1000, length: 123 })).equals(body.subarray(1000, 1123))).to.equal(true);
      expect((await store.get(`${prefix}r.bin`, { offset: 4000, length: 96 })).equals(body.subarray(4000))).to.equal(true);
    });

    it('refuses a range that runs past the end of the object', async () => {
      await store.put(`${prefix}short.bin`, Buffer.alloc(10));
      const error = await store.get(`${prefix}short.bin`, { offset: 5, length: 10 }).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(ObjectStoreError);
    });

    it('reports a missing object as ObjectNotFoundError and stat null', async () => {
      const error = await store.get(`${prefix}missing.bin`).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(ObjectNotFoundError);
      expect(await store.stat(`${prefix}missing.bin`)).to.equal(null);
    });

    it('stats an object with its size', async () => {
      await store.put(`${prefix}s.bin`, Buffer.alloc(777, 1));
      expect(await store.stat(`${prefix}s.bin`)).to.deep.equal({ key: `${prefix}s.bin`, sizeBytes: 777 });
    });

    it('overwrites an object on put', async () => {
      await store.put(`${prefix}o.bin`, Buffer.from('first'));
      await store.put(`${prefix}o.bin`, Buffer.from('second'));
      expect((await store.get(`${prefix}o.bin`)).toString()).to.equal('second');
    });

    it('lists the keys under a prefix, nested ones too, sorted and nothing else', async () => {
      for (const key of ['b/2', 'a', 'b/1', 'c/d/e']) await store.put(`${prefix}${key}`, Buffer.from(key));
      await store.put(`${prefix.slice(0, -1)}-sibling/x`, Buffer.from('x'));
      expect(await store.list(prefix)).to.deep.equal(['a', 'b/1', 'b/2', 'c/d/e'].map((k) => `${prefix}${k}`));
      expect(await store.list(`${prefix}b/`)).to.deep.equal([`${prefix}b/1`, `${prefix}b/2`]);
      expect(await store.list(`${prefix}b/1`)).to.deep.equal([`${prefix}b/1`]);
    });

    it('lists nothing under a prefix that was never written', async () => {
      expect(await store.list(`${prefix}nothing/`)).to.deep.equal([]);
    });

    it('deletes an object, and deleting it again succeeds', async () => {
      await store.put(`${prefix}d.bin`, Buffer.from('x'));
      await store.delete(`${prefix}d.bin`);
      expect(await store.stat(`${prefix}d.bin`)).to.equal(null);
      await store.delete(`${prefix}d.bin`);
      expect(await store.list(prefix)).to.deep.equal([]);
    });

    it('creates only once with putIfAbsent where the backend enforces it, and says so otherwise', async () => {
      expect(store.conditionalCreate).to.equal(fixture.conditionalCreate);
      if (!fixture.conditionalCreate) {
        const error = await store.putIfAbsent(`${prefix}c.bin`, Buffer.from('x')).catch((e: unknown) => e);
        expect(error).to.be.instanceOf(ObjectStoreUnsupportedError);
        return;
      }
      expect(await store.putIfAbsent(`${prefix}c.bin`, Buffer.from('first'))).to.equal(true);
      expect(await store.putIfAbsent(`${prefix}c.bin`, Buffer.from('second'))).to.equal(false);
      expect((await store.get(`${prefix}c.bin`)).toString()).to.equal('first');
    });

    it('lets exactly one of several concurrent putIfAbsent calls win', async function () {
      if (!fixture.conditionalCreate) this.skip();
      const results = await Promise.all([1, 2, 3, 4].map((i) => store.putIfAbsent(`${prefix}race.bin`, Buffer.from(String(i)))));
      expect(results.filter(Boolean)).to.have.length(1);
    });

    it('stores and range-reads an object of several MiB', async () => {
      const body = randomBytes(6 * 1024 * 1024 + 17);
      await store.put(`${prefix}big.bin`, body);
      expect((await store.stat(`${prefix}big.bin`))?.sizeBytes).to.equal(body.length);
      const start = 5 * 1024 * 1024 - 5;
      expect((await store.get(`${prefix}big.bin`, { offset: start, length: 1 << 20 })).equals(body.subarray(start, start + (1 << 20)))).to.equal(true);
    });

    it('rejects keys that would escape the store root', async () => {
      for (const key of ['../x', '/abs', 'a/../b', '']) {
        const error = await store.put(key, Buffer.from('x')).catch((e: unknown) => e);
        expect(error, key).to.be.instanceOf(ObjectStoreError);
      }
    });
  });
}

import { expect } from 'chai';
import { OpendalObjectStore } from '../../../src/storage/objects/opendal-store';
import { BlockCache } from '../../../src/storage/tier/block-cache';
import type { BlockEntry } from '../../../src/storage/tier/object-index';
import { CountingStore } from './tier-harness';

const block = (position: number, bytes: number): BlockEntry => ({ baseOffset: 0n, endOffset: 1n, position, bytes, maxTimestampMs: 0n });

describe('tier block cache', () => {
  it('serves a prefetched block without a second request', async () => {
    const store = new CountingStore(new OpendalObjectStore({ backend: 'memory' }));
    await store.put('o', Buffer.alloc(1000, 7));
    const cache = new BlockCache(store, 10_000);
    cache.prefetch('o', block(0, 100));
    expect((await cache.load('o', block(0, 100))).length).to.equal(100);
    expect(store.gets).to.equal(1);
  });

  it('stays within its byte limit, evicting the least recently used block, and skips prefetches past it', async () => {
    const store = new CountingStore(new OpendalObjectStore({ backend: 'memory' }));
    await store.put('o', Buffer.alloc(1000, 7));
    const cache = new BlockCache(store, 250);
    await cache.load('o', block(0, 100));
    await cache.load('o', block(100, 100));
    await cache.load('o', block(0, 100));
    await cache.load('o', block(200, 100));
    expect(store.gets).to.equal(3);
    await cache.load('o', block(0, 100));
    expect(store.gets, 'the recently used block stayed').to.equal(3);
    await cache.load('o', block(100, 100));
    expect(store.gets, 'the least recently used block was evicted').to.equal(4);
    cache.prefetch('o', block(300, 200));
    expect(store.gets, 'a prefetch past the limit is skipped').to.equal(4);
  });

  it('does not keep a failed fetch: the next read tries again', async () => {
    const store = new CountingStore(new OpendalObjectStore({ backend: 'memory' }));
    const cache = new BlockCache(store, 1000);
    const error = await cache.load('missing', block(0, 10)).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(Error);
    await store.put('missing', Buffer.alloc(10));
    expect((await cache.load('missing', block(0, 10))).length).to.equal(10);
  });
});

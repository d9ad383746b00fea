import { expect } from 'chai';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { isStorageError } from '../../../src/storage/errors';
import { STORAGE_LIMITS } from '../../../src/limits';
import { TailCache } from '../../../src/storage/tail-cache';
import { testAppend } from '../support/test-batch-format';
import { openTestWal, WalTestHarness } from './wal-harness';
import { appendMany, removeDir, segmentFiles, tempDir } from './wal-test-helpers';

async function scribble(file: string): Promise<void> {
  const handle = await open(file, 'r+');
  const { size } = await handle.stat();
  await handle.write(Buffer.alloc(size, 0x5a), 0, size, 0);
  await handle.close();
}

describe('Tail cache', () => {
  let dir: string;
  beforeEach(async () => { dir = await tempDir(); });
  afterEach(async () => { await removeDir(dir); });

  it('serves tail reads from memory without touching the segment file', async () => {
    const harness = new WalTestHarness({ tailCacheBytes: 1 << 20 });
    const log = await openTestWal(harness, dir);
    await log.read(0n, 100);
    const stored = await appendMany(log, 5);
    await scribble(join(dir, (await segmentFiles(dir))[0]));
    const r = await log.read(2n, 1 << 20);
    expect(r.chunks.map((c) => c.toString('hex'))).to.deep.equal(stored.slice(2).map((b) => b.toString('hex')));
    await log.close();
  });

  it('caches nothing for a partition nobody has read lately', async () => {
    const harness = new WalTestHarness({ tailCacheBytes: 1 << 20 });
    const log = await openTestWal(harness, dir);
    await log.read(0n, 100);
    harness.nowMs += STORAGE_LIMITS.tailCacheReaderIdleMs + 1;
    await appendMany(log, 5);
    expect(harness.cache.usedBytes).to.equal(0);
    await scribble(join(dir, (await segmentFiles(dir))[0]));
    expect(isStorageError(await log.read(2n, 1 << 20).catch((e) => e), 'CORRUPT_LOG')).to.equal(true);
    await log.close();
  });

  it('reads from disk (and catches the damage) when the cache is disabled', async () => {
    const harness = new WalTestHarness({ tailCacheBytes: 0 });
    const log = await openTestWal(harness, dir);
    await appendMany(log, 5);
    await scribble(join(dir, (await segmentFiles(dir))[0]));
    const err = await log.read(2n, 1 << 20).catch((e) => e);
    expect(isStorageError(err, 'CORRUPT_LOG')).to.equal(true);
    await log.close();
  });

  it('stays within its byte budget across partitions, evicting the oldest batches first', async () => {
    const harness = new WalTestHarness({ tailCacheBytes: 1000 });
    const a = await openTestWal(harness, join(dir, 'a'));
    const b = await openTestWal(harness, join(dir, 'b'));
    await Promise.all([a.read(0n, 1), b.read(0n, 1)]);
    for (let i = 0; i < 10; i++) {
      await a.append(testAppend({ payload: 80, seed: i }));
      await b.append(testAppend({ payload: 80, seed: 100 + i }));
      expect(harness.cache.usedBytes).to.be.at.most(1000);
    }
    expect(harness.cache.usedBytes).to.be.greaterThan(800);
    await scribble(join(dir, 'a', (await segmentFiles(join(dir, 'a')))[0]));
    expect((await a.read(9n, 1)).chunks[0].readBigInt64BE(0)).to.equal(9n);
    const evicted = await a.read(0n, 1).catch((e) => e);
    expect(isStorageError(evicted, 'CORRUPT_LOG')).to.equal(true);
    await a.close();
    await b.close();
    expect(harness.cache.usedBytes).to.equal(0);
  });

  it('forgets truncated batches', async () => {
    const harness = new WalTestHarness();
    const log = await openTestWal(harness, dir);
    await log.read(0n, 1);
    await appendMany(log, 5);
    await log.truncate(2n);
    const replacement = testAppend({ seed: 77 });
    await log.append(replacement);
    const r = await log.read(2n, 1 << 20);
    expect(r.chunks).to.have.length(1);
    expect(r.chunks[0].equals(replacement.batch)).to.equal(true);
    await log.close();
  });

  it('copies a batch that is a view into a larger buffer, so the budget bounds real memory', () => {
    const cache = new TailCache(10_000);
    const slot = cache.slot();
    slot.noteReader(0);
    const socketChunk = Buffer.alloc(64 * 1024, 7);
    const view = socketChunk.subarray(100, 200);
    slot.append(0n, 1n, view, 0);
    const own = Buffer.allocUnsafeSlow(100);
    slot.append(1n, 2n, own, 0);
    const [first, second] = slot.read(0n, 1000, 2n)!.chunks;
    expect(first.equals(view)).to.equal(true);
    expect(first.buffer).to.not.equal(socketChunk.buffer);
    expect(first.buffer.byteLength).to.equal(100);
    expect(second).to.equal(own);
  });

  it('returns null for offsets it does not hold and keeps one slot contiguous', () => {
    const cache = new TailCache(10_000);
    const slot = cache.slot();
    slot.noteReader(0);
    slot.append(10n, 12n, Buffer.alloc(10), 0);
    slot.append(12n, 15n, Buffer.alloc(10), 0);
    expect(slot.read(9n, 100, 15n)).to.equal(null);
    expect(slot.read(13n, 100, 15n)?.nextOffset).to.equal(15n);
    slot.append(20n, 21n, Buffer.alloc(10), 0);
    expect(slot.read(12n, 100, 21n)).to.equal(null);
    expect(cache.usedBytes).to.equal(10);
  });
});

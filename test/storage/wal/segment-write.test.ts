import { expect } from 'chai';
import { readFile } from 'node:fs/promises';
import { STORAGE_LIMITS } from '../../../src/limits';
import { encodeFrameHeader, FRAME_HEADER_BYTES } from '../../../src/storage/wal/frame';
import { inlineIoBudget } from '../../../src/storage/wal/inline-io-budget';
import { OutgoingFrame, Segment } from '../../../src/storage/wal/segment';
import { removeDir, tempDir, watchFileHandles } from './wal-test-helpers';

function framesOf(sizes: number[], firstOffset: bigint): OutgoingFrame[] {
  return sizes.map((size, i) => {
    const batch = Buffer.alloc(size, i + 1);
    const baseOffset = firstOffset + BigInt(i);
    return { header: encodeFrameHeader(baseOffset, batch), batch, baseOffset, recordCount: 1, maxTimestampMs: 0 };
  });
}

/** Counts FileHandle.writev calls (libuv's thread pool) while `body` runs; the writes still happen. */
async function poolWritesDuring(body: () => Promise<void>): Promise<number> {
  let calls = 0;
  await watchFileHandles('writev', () => { calls++; }, body);
  return calls;
}

/** fdatasyncs through FileHandle.datasync (libuv's thread pool) while `body` runs; they still happen. */
async function poolSyncsDuring(body: () => Promise<unknown>): Promise<number> {
  let calls = 0;
  await watchFileHandles('datasync', () => { calls++; }, async () => { await body(); });
  return calls;
}

describe('WAL segment writes', () => {
  let dir: string;
  beforeEach(async () => { dir = await tempDir(); });
  afterEach(async () => { await removeDir(dir); });

  it('writes a small group from the event loop and a group above inlineWriteBytesMax on the thread pool, both byte for byte at the end of the file', async () => {
    const segment = await Segment.create(dir, 0n, STORAGE_LIMITS.indexIntervalBytes, Date.now());
    // Many small frames: more buffers than one writev takes at once (IOV_MAX 1024) still land whole.
    const small = framesOf(Array.from({ length: 700 }, (_, i) => 30 + (i % 7)), 0n);
    const large = framesOf([STORAGE_LIMITS.inlineWriteBytesMax, 100], 700n);
    expect(await poolWritesDuring(() => segment.write(small)), 'thread-pool writes of the small group').to.equal(0);
    expect(await poolWritesDuring(() => segment.write(large)), 'thread-pool writes of the large group').to.be.greaterThan(0);
    const expected = Buffer.concat([...small, ...large].flatMap((f) => [f.header, f.batch]));
    expect(segment.writtenBytes).to.equal(expected.length);
    expect(segment.nextOffset).to.equal(702n);
    expect(large[1].endPosition).to.equal(expected.length);
    await segment.retire();
    expect((await readFile(segment.path)).equals(expected)).to.equal(true);
  });

  it('writeNow writes a small group from the event loop and leaves a group above inlineWriteBytesMax untouched for write()', async () => {
    const segment = await Segment.create(dir, 0n, STORAGE_LIMITS.indexIntervalBytes, Date.now());
    const small = framesOf([100, 200], 0n);
    expect(segment.writeNow(small)).to.equal(true);
    expect(segment.writtenBytes).to.equal(300 + 2 * FRAME_HEADER_BYTES);
    const large = framesOf([STORAGE_LIMITS.inlineWriteBytesMax], 2n);
    expect(segment.writeNow(large)).to.equal(false);
    expect(segment.writtenBytes, 'nothing recorded').to.equal(300 + 2 * FRAME_HEADER_BYTES);
    expect(large[0].endPosition).to.equal(undefined);
    await segment.retire();
    expect((await readFile(segment.path)).equals(Buffer.concat(small.flatMap((f) => [f.header, f.batch])))).to.equal(true);
  });

  it('writes past the inline budget of one event-loop turn on the thread pool, and inline again in the next turn', async () => {
    const frameBytes = Math.floor(STORAGE_LIMITS.inlineWriteBytesMax * 0.9);
    const inlinePerTurn = Math.floor(STORAGE_LIMITS.inlineWriteTurnBytesMax / (frameBytes + FRAME_HEADER_BYTES));
    const segments = await Promise.all(Array.from({ length: inlinePerTurn + 2 }, (_, i) => Segment.create(dir, BigInt(i * 10), STORAGE_LIMITS.indexIntervalBytes, Date.now())));
    // A fresh turn, so nothing written before counts against this one.
    await new Promise((resolve) => setImmediate(resolve));
    const poolWrites = await poolWritesDuring(async () => {
      await Promise.all(segments.slice(0, inlinePerTurn + 1).map((segment) => segment.write(framesOf([frameBytes], segment.baseOffset))));
    });
    expect(poolWrites, 'writes beyond the turn budget').to.equal(1);
    await new Promise((resolve) => setImmediate(resolve));
    const last = segments[segments.length - 1];
    expect(await poolWritesDuring(() => last.write(framesOf([frameBytes], last.baseOffset))), 'a write in the next turn').to.equal(0);
    for (const segment of segments) {
      expect(segment.writtenBytes).to.equal(frameBytes + FRAME_HEADER_BYTES);
      await segment.retire();
    }
  });

  it('runs an fdatasync of little written since the last from the event loop, and of more than inlineSyncDirtyBytesMax on the thread pool', async () => {
    const segment = await Segment.create(dir, 0n, STORAGE_LIMITS.indexIntervalBytes, Date.now());
    // A slow fdatasync of an earlier test may have sent them all to the pool for a while.
    while (inlineIoBudget.backingOff()) await new Promise((resolve) => setTimeout(resolve, 20));
    await new Promise((resolve) => setImmediate(resolve));
    await segment.write(framesOf([300], 0n));
    expect(await poolSyncsDuring(() => segment.sync()), 'pool fdatasyncs for 300 B').to.equal(0);
    expect(segment.syncedBytes).to.equal(segment.writtenBytes);
    await segment.write(framesOf([STORAGE_LIMITS.inlineSyncDirtyBytesMax], 1n));
    let covered = -1n;
    expect(await poolSyncsDuring(async () => { covered = await segment.sync(); }), 'pool fdatasyncs past the cap').to.equal(1);
    expect(covered).to.equal(2n);
    expect(segment.syncedBytes).to.equal(segment.writtenBytes);
    await segment.retire();
  });
});

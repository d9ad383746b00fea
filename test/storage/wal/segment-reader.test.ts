import { expect } from 'chai';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { CorruptLogError } from '../../../src/storage/errors';
import { STORAGE_LIMITS } from '../../../src/limits';
import { FRAME_HEADER_BYTES } from '../../../src/storage/wal/frame';
import type { WalPartitionLog } from '../../../src/storage/wal/wal-partition-log';
import { openTestWal, WalTestHarness } from './wal-harness';
import { appendMany, removeDir, segmentFiles, tempDir, watchFileHandles } from './wal-test-helpers';

/** Counts the bytes every FileHandle.read returns while `body` runs (the real reads still happen). */
async function bytesReadDuring(body: () => Promise<void>): Promise<number> {
  let bytes = 0;
  await watchFileHandles<{ bytesRead: number }>('read', (r) => { bytes += r.bytesRead; }, body);
  return bytes;
}

describe('WAL reads from segment files', () => {
  let dir: string;
  let harness: WalTestHarness;
  let log: WalPartitionLog;
  beforeEach(async () => {
    dir = await tempDir();
    harness = new WalTestHarness({ tailCacheBytes: 0 });
  });
  afterEach(async () => {
    await log?.close();
    await harness.close();
    await removeDir(dir);
  });

  async function damageBatchOf(frameIndex: number, frameBytes: number): Promise<string> {
    const file = join(dir, (await segmentFiles(dir))[0]);
    const handle = await open(file, 'r+');
    await handle.write(Buffer.from([0x5a, 0xa5, 0x5a]), 0, 3, frameIndex * frameBytes + FRAME_HEADER_BYTES + 40);
    await handle.close();
    return file;
  }

  it('stops at its byte budget by the next frame header, without reading or checking that frame whole', async () => {
    log = await openTestWal(harness, dir, { segmentBytes: 1024 * 1024 });
    const stored = await appendMany(log, 10, (i) => ({ payload: 200, seed: i }));
    const frameBytes = FRAME_HEADER_BYTES + stored[0].length;
    const file = await damageBatchOf(3, frameBytes);
    for (const maxBytes of [3 * stored[0].length, 4 * stored[0].length - 1]) {
      const read = await log.read(0n, maxBytes);
      expect(read.chunks, `budget ${maxBytes}`).to.deep.equal(stored.slice(0, 3));
      expect(read.nextOffset).to.equal(3n);
    }
    const error = await log.read(3n, 1024).catch((e: unknown) => e);
    expect(error, 'the damage is found where it is read').to.be.instanceOf(CorruptLogError);
    expect((error as CorruptLogError).file).to.equal(file);
    expect((error as CorruptLogError).position).to.equal(3 * frameBytes);
  });

  it('returns the first batch whole even when it is larger than the budget, and stops before the next one', async () => {
    log = await openTestWal(harness, dir, { segmentBytes: 1024 * 1024 });
    const stored = await appendMany(log, 3, (i) => ({ payload: 5000, seed: i }));
    await damageBatchOf(1, FRAME_HEADER_BYTES + stored[0].length);
    const read = await log.read(0n, 1);
    expect(read.chunks).to.deep.equal([stored[0]]);
    expect(read.bytes).to.equal(stored[0].length);
  });

  it('ends at the first batch that does not fit, also when it opens the next segment and a later one would fit', async () => {
    log = await openTestWal(harness, dir, { segmentBytes: 60 });
    const stored = await appendMany(log, 5, (i) => ({ payload: [0, 0, 1, 0, 0][i], seed: i }));
    const read = await log.read(1n, 2 * stored[1].length);
    expect(read.chunks).to.deep.equal([stored[1]]);
    expect(read.nextOffset).to.equal(2n);
    const across = await log.read(3n, 2 * stored[3].length);
    expect(across.chunks).to.deep.equal(stored.slice(3, 5));
  });

  it('reads from disk no more than the frames it returns plus one index interval and a frame header', async () => {
    log = await openTestWal(harness, dir, { segmentBytes: 4 * 1024 * 1024 });
    const stored = await appendMany(log, 3000, (i) => ({ payload: 80, seed: i }));
    const frameBytes = FRAME_HEADER_BYTES + stored[0].length;
    for (const [offset, maxBytes] of [[0n, 64 * 1024], [777n, 100 * 1024], [1000n, 150 * 1024]] as const) {
      let returned = 0;
      const bytes = await bytesReadDuring(async () => {
        const read = await log.read(offset, maxBytes);
        expect(read.chunks).to.deep.equal(stored.slice(Number(offset), Number(offset) + read.chunks.length));
        expect(read.bytes + stored[0].length).to.be.greaterThan(maxBytes);
        returned = read.chunks.length * frameBytes;
      });
      expect(bytes, `read(${offset}, ${maxBytes})`).to.be.at.most(returned + STORAGE_LIMITS.indexIntervalBytes + FRAME_HEADER_BYTES);
    }
  });
});

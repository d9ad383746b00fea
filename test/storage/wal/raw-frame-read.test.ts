import { expect } from 'chai';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { CorruptLogError } from '../../../src/storage/errors';
import { encodeFrameHeader, FRAME_HEADER_BYTES } from '../../../src/storage/wal/frame';
import type { WalPartitionLog } from '../../../src/storage/wal/wal-partition-log';
import { openTestWal, WalTestHarness } from './wal-harness';
import { appendMany, removeDir, segmentFiles, tempDir } from './wal-test-helpers';

/** The frames the WAL stores for `batches` (base offsets as appended), back to back. */
function framesOf(batches: Buffer[]): Buffer {
  return Buffer.concat(batches.flatMap((b) => [encodeFrameHeader(b.readBigInt64BE(0), b), b]));
}

describe('WAL raw frame reads for the tier (readFramesForUpload)', () => {
  let dir: string;
  let harness: WalTestHarness;
  let log: WalPartitionLog;
  beforeEach(async () => {
    dir = await tempDir();
    harness = new WalTestHarness();
  });
  afterEach(async () => {
    await log?.close();
    await harness.close();
    await removeDir(dir);
  });

  it('copies the frames exactly as stored into the target at the position given, with their offsets and timestamps', async () => {
    log = await openTestWal(harness, dir);
    const stored = await appendMany(log, 20, (i) => ({ recordCount: 1 + (i % 3), maxTimestampMs: 5000n + BigInt(i), payload: 40 + i * 7, seed: i }));
    const target = Buffer.alloc(64 * 1024, 0xee);
    const read = await log.readFramesForUpload(0n, target, 100, 60 * 1024);
    expect(target.subarray(100, 100 + read.bytes).equals(framesOf(stored))).to.equal(true);
    expect(target[99]).to.equal(0xee);
    expect(read.nextOffset).to.equal(log.highWatermark());
    expect(read.frames.map((f) => f.baseOffset)).to.deep.equal(stored.map((b) => b.readBigInt64BE(0)));
    expect(read.frames.map((f) => f.maxTimestampMs)).to.deep.equal(stored.map((_, i) => 5000n + BigInt(i)));
    expect(read.frames[1].position).to.equal(100 + FRAME_HEADER_BYTES + stored[0].length);
    expect(read.frames.at(-1)!.nextOffset).to.equal(read.nextOffset);
  });

  it('starts at the frame holding the offset, inside an index interval and inside a batch', async () => {
    log = await openTestWal(harness, dir, { segmentBytes: 1024 * 1024 });
    const stored = await appendMany(log, 200, (i) => ({ recordCount: 2, payload: 30, seed: i }));
    const target = Buffer.alloc(64 * 1024);
    for (const offset of [0n, 2n, 37n * 2n, 37n * 2n + 1n, 150n * 2n + 1n, 399n]) {
      const read = await log.readFramesForUpload(offset, target, 0, 1024);
      const first = Number(offset / 2n);
      expect(read.frames[0].baseOffset, `from ${offset}`).to.equal(BigInt(first * 2));
      expect(target.subarray(0, read.bytes).equals(framesOf(stored.slice(first, first + read.frames.length))), `from ${offset}`).to.equal(true);
    }
  });

  it('stops at maxBytes on a frame boundary and at the end of a segment, and says how much room a larger frame needs', async () => {
    log = await openTestWal(harness, dir, { segmentBytes: 2000 });
    const stored = await appendMany(log, 30, (i) => ({ payload: 200, seed: i }));
    const frameBytes = FRAME_HEADER_BYTES + stored[0].length;
    const target = Buffer.alloc(64 * 1024);
    const capped = await log.readFramesForUpload(0n, target, 0, 3 * frameBytes + 10);
    expect(capped.frames).to.have.length(3);
    expect(capped.bytes).to.equal(3 * frameBytes);
    const whole = await log.readFramesForUpload(0n, target, 0, 64 * 1024);
    const firstSegment = log.segmentInfos()[0];
    expect(whole.nextOffset).to.equal(firstSegment.nextOffset);
    expect(whole.bytes).to.equal(firstSegment.sizeBytes);
    const tooSmall = await log.readFramesForUpload(0n, target, 0, frameBytes - 1);
    expect(tooSmall.frames).to.have.length(0);
    expect(tooSmall.frameBytesNeeded).to.equal(frameBytes);
  });

  it('returns nothing at the high watermark and refuses offsets outside the log', async () => {
    log = await openTestWal(harness, dir);
    await appendMany(log, 3);
    const target = Buffer.alloc(4096);
    expect((await log.readFramesForUpload(3n, target, 0, 4096)).frames).to.have.length(0);
    for (const offset of [-1n, 4n]) {
      const error = await log.readFramesForUpload(offset, target, 0, 4096).catch((e: unknown) => e);
      expect(error).to.have.property('code', 'OFFSET_OUT_OF_RANGE');
    }
  });

  it('refuses a frame damaged on disk with a CorruptLogError naming its file and position', async () => {
    log = await openTestWal(harness, dir, { segmentBytes: 1000 });
    const stored = await appendMany(log, 20, (i) => ({ payload: 100, seed: i }));
    const frameBytes = FRAME_HEADER_BYTES + stored[0].length;
    const first = join(dir, (await segmentFiles(dir))[0]);
    const handle = await open(first, 'r+');
    await handle.write(Buffer.from([0x5a]), 0, 1, 2 * frameBytes + 60);
    await handle.close();
    const target = Buffer.alloc(64 * 1024);
    const error = await log.readFramesForUpload(0n, target, 0, 64 * 1024).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(CorruptLogError);
    expect((error as CorruptLogError).file).to.equal(first);
    expect((error as CorruptLogError).position).to.equal(2 * frameBytes);
  });
});

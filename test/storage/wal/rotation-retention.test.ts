import { expect } from 'chai';
import { readdir, readlink, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { STORAGE_LIMITS } from '../../../src/limits';
import { isStorageError } from '../../../src/storage/errors';
import { segmentsToDelete } from '../../../src/storage/wal/retention';
import { segmentFileName } from '../../../src/storage/wal/segment';
import { readAll } from '../partition-log.contract';
import { testAppend } from '../support/test-batch-format';
import { openTestWal, WalTestHarness } from './wal-harness';
import { appendMany, removeDir, segmentFiles, tempDir } from './wal-test-helpers';

const FRAME_BYTES = 16 + 20 + 32;

describe('WAL segment rotation', () => {
  let harness: WalTestHarness;
  let dir: string;
  beforeEach(async () => { harness = new WalTestHarness(); dir = await tempDir(); });
  afterEach(async () => { await harness.close(); await removeDir(dir); });

  it('rolls to a new segment, named by its base offset, before one would pass segmentBytes', async () => {
    const log = await openTestWal(harness, dir, { segmentBytes: 3 * FRAME_BYTES });
    await appendMany(log, 10, (i) => ({ recordCount: 2, seed: i }));
    expect(await segmentFiles(dir)).to.deep.equal([0n, 6n, 12n, 18n].map(segmentFileName));
    for (const name of await segmentFiles(dir)) expect((await stat(join(dir, name))).size).to.be.at.most(3 * FRAME_BYTES);
    expect(log.sealedEndOffset()).to.equal(18n);
    const infos = log.segmentInfos();
    expect(infos.map((i) => [i.baseOffset, i.nextOffset, i.sealed])).to.deep.equal([[0n, 6n, true], [6n, 12n, true], [12n, 18n, true], [18n, 20n, false]]);
    expect(infos[0].sizeBytes).to.equal(3 * FRAME_BYTES);
    await log.close();
  });

  it('puts a batch larger than segmentBytes alone in its own segment', async () => {
    const log = await openTestWal(harness, dir, { segmentBytes: 50 });
    await appendMany(log, 3, (i) => ({ payload: 100, seed: i }));
    expect(await segmentFiles(dir)).to.deep.equal([0n, 1n, 2n].map(segmentFileName));
    expect(await readAll(log)).to.have.length(3);
    await log.close();
  });

  it('reads and recovers batches larger than the read and scan chunks', async () => {
    const uncached = new WalTestHarness({ tailCacheBytes: 0 });
    const log = await openTestWal(uncached, dir, { segmentBytes: 1 << 30 });
    const stored = await appendMany(log, 4, (i) => ({ payload: i % 2 === 0 ? 100 : STORAGE_LIMITS.scanChunkBytes + 5000, seed: i }));
    await log.close();
    const reopened = await openTestWal(uncached, dir);
    for (let i = 0; i < 4; i++) expect((await reopened.read(BigInt(i), 1)).chunks[0].equals(stored[i])).to.equal(true);
    await reopened.close();
  });

  it('keeps only the active segment file open: sealed ones open for a read and close after it', async () => {
    const openFilesIn = async (d: string) => {
      const fds = await readdir('/proc/self/fd');
      const targets = await Promise.all(fds.map((fd) => readlink(`/proc/self/fd/${fd}`).catch(() => '')));
      return targets.filter((t) => t.startsWith(d)).length;
    };
    const uncached = new WalTestHarness({ tailCacheBytes: 0 });
    const log = await openTestWal(uncached, dir, { segmentBytes: FRAME_BYTES });
    await appendMany(log, 10);
    expect(await segmentFiles(dir)).to.have.length(10);
    expect(await openFilesIn(dir)).to.equal(1);
    await log.close();
    const reopened = await openTestWal(uncached, dir);
    expect(await openFilesIn(dir)).to.equal(1);
    expect((await readAll(reopened)).length).to.equal(10);
    await new Promise((resolve) => setImmediate(resolve));
    expect(await openFilesIn(dir)).to.equal(1);
    await reopened.close();
    expect(await openFilesIn(dir)).to.equal(0);
  });

  it('rolls by age on the first append segmentMs after the segment started', async () => {
    const log = await openTestWal(harness, dir, { segmentMs: 1000 });
    await appendMany(log, 2);
    harness.nowMs += 999;
    await log.append(testAppend());
    expect(await segmentFiles(dir)).to.have.length(1);
    harness.nowMs += 1;
    await log.append(testAppend());
    expect(await segmentFiles(dir)).to.deep.equal([0n, 3n].map(segmentFileName));
    await log.close();
  });

  it('seeks with the sparse index: reads from disk at any offset of a large segment return the right batch', async () => {
    const uncached = new WalTestHarness({ tailCacheBytes: 0 });
    const log = await openTestWal(uncached, dir, { segmentBytes: 1 << 30 });
    const stored = await appendMany(log, 400, (i) => ({ recordCount: 3, payload: 100 + (i % 7) * 50, seed: i }));
    for (const i of [0, 1, 57, 200, 399]) {
      for (const delta of [0n, 2n]) {
        const r = await log.read(BigInt(i * 3) + delta, 1);
        expect(r.chunks[0].equals(stored[i])).to.equal(true);
      }
    }
    await log.close();
  });
});

describe('WAL retention', () => {
  let harness: WalTestHarness;
  let dir: string;
  beforeEach(async () => { harness = new WalTestHarness(); dir = await tempDir(); });
  afterEach(async () => { await harness.close(); await removeDir(dir); });

  it('by size deletes whole old segments, advances the log start and never the active segment', async () => {
    const log = await openTestWal(harness, dir, { segmentBytes: 3 * FRAME_BYTES, retentionBytes: 4 * FRAME_BYTES });
    const stored = await appendMany(log, 10);
    expect(await log.applyRetention()).to.equal(2);
    expect(log.logStartOffset()).to.equal(6n);
    expect(await segmentFiles(dir)).to.deep.equal([6n, 9n].map(segmentFileName));
    const err = await log.read(5n, 100).catch((e) => e);
    expect(isStorageError(err, 'OFFSET_OUT_OF_RANGE')).to.equal(true);
    expect((await readAll(log)).map((b) => b.toString('hex'))).to.deep.equal(stored.slice(6).map((b) => b.toString('hex')));
    await log.close();
    const reopened = await openTestWal(harness, dir);
    expect(reopened.logStartOffset()).to.equal(6n);
    await reopened.close();
  });

  it('by age deletes segments whose newest batch is older than retentionMs', async () => {
    const log = await openTestWal(harness, dir, { segmentBytes: 2 * FRAME_BYTES, retentionMs: 1000 });
    await appendMany(log, 6, (i) => ({ maxTimestampMs: BigInt(10_000 + i * 100) }));
    expect(await log.applyRetention(11_000)).to.equal(0);
    expect(await log.applyRetention(11_200)).to.equal(1);
    expect(log.logStartOffset()).to.equal(2n);
    expect(await log.applyRetention(1_000_000)).to.equal(1);
    expect(log.logStartOffset()).to.equal(4n);
    await log.close();
  });

  it('waits for the upload mark before deleting anything when the tier requires it', async () => {
    const log = await openTestWal(harness, dir, { segmentBytes: 2 * FRAME_BYTES, retentionBytes: 0, retentionRequiresUploadMark: true });
    await appendMany(log, 7);
    expect(await log.applyRetention()).to.equal(0);
    log.markUploaded(3n);
    expect(await log.applyRetention()).to.equal(1);
    expect(log.logStartOffset()).to.equal(2n);
    log.markUploaded(6n);
    expect(await log.applyRetention()).to.equal(2);
    expect(log.logStartOffset()).to.equal(6n);
    await log.close();
  });

  it('starts a new empty log at initialOffset and continues offsets exactly from there', async () => {
    const log = await openTestWal(harness, dir, { initialOffset: 5000n });
    expect(log.logStartOffset()).to.equal(5000n);
    expect(log.highWatermark()).to.equal(5000n);
    expect((await log.append(testAppend({ recordCount: 3 }))).baseOffset).to.equal(5000n);
    const err = await log.read(4999n, 100).catch((e) => e);
    expect(isStorageError(err, 'OFFSET_OUT_OF_RANGE')).to.equal(true);
    await log.close();
    const reopened = await openTestWal(harness, dir, { initialOffset: 0n });
    expect([reopened.logStartOffset(), reopened.highWatermark()]).to.deep.equal([5000n, 5003n]);
    await reopened.close();
  });

  describe('segment selection', () => {
    const seg = (next: number, size: number, ts: number) => ({ nextOffset: BigInt(next), sizeBytes: size, largestTimestampMs: ts });
    const segments = [seg(10, 100, 1000), seg(20, 100, 2000), seg(30, 100, 3000), seg(40, 100, 4000)];
    const policy = { retentionBytes: -1, retentionMs: -1, nowMs: 5000, floorOffset: null };

    it('deletes nothing when both limits are unlimited', () => {
      expect(segmentsToDelete(segments, policy)).to.equal(0);
    });
    it('deletes while the rest still holds at least retentionBytes', () => {
      expect(segmentsToDelete(segments, { ...policy, retentionBytes: 200 })).to.equal(2);
      expect(segmentsToDelete(segments, { ...policy, retentionBytes: 201 })).to.equal(1);
    });
    it('deletes by the newest timestamp of each segment', () => {
      expect(segmentsToDelete(segments, { ...policy, retentionMs: 2500 })).to.equal(2);
    });
    it('never deletes the active segment', () => {
      expect(segmentsToDelete(segments, { ...policy, retentionBytes: 0, retentionMs: 0 })).to.equal(3);
    });
    it('never deletes a segment reaching the floor', () => {
      expect(segmentsToDelete(segments, { ...policy, retentionBytes: 0, floorOffset: 19n })).to.equal(1);
      expect(segmentsToDelete(segments, { ...policy, retentionBytes: 0, floorOffset: 20n })).to.equal(2);
    });
  });
});

import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readAll } from '../partition-log.contract';
import { STORAGE_LIMITS } from '../../../src/limits';
import { encodeFrameHeader } from '../../../src/storage/wal/frame';
import { pageCacheDropAvailable, pageFloor } from '../../../src/storage/wal/page-cache';
import { Segment } from '../../../src/storage/wal/segment';
import { openTestWal, WalTestHarness } from './wal-harness';
import { appendMany, removeDir, segmentFiles, tempDir } from './wal-test-helpers';

const MIB = 1024 * 1024;
const BATCH_PAYLOAD_BYTES = 256 * 1024;
const KEEP_BYTES = STORAGE_LIMITS.pageCacheKeepBytes;
/** Bytes written beyond the kept window: what should leave the page cache. */
const BEYOND_KEEP_BYTES = 16 * MIB;
const BATCHES = Math.ceil((KEEP_BYTES + BEYOND_KEEP_BYTES) / BATCH_PAYLOAD_BYTES);
/**
 * DONTNEED is advice: a page still in another CPU's LRU batch, or referenced at that moment,
 * stays (seen once under load). Half of what is beyond the window gone shows the drop happened
 * without asserting every page.
 */
const RESIDENT_BEYOND_KEEP_MAX = BEYOND_KEEP_BYTES / 2;

/** Bytes of `path` in the page cache, by util-linux's fincore (mincore(2) over the file). */
function residentBytes(path: string): number {
  return Number(execFileSync('fincore', ['--bytes', '--noheadings', '--output', 'RES', path]).toString().trim());
}

describe('WAL: synced bytes leave the page cache', () => {
  let harness: WalTestHarness;
  let dir: string;

  beforeEach(async () => {
    harness = new WalTestHarness({ tailCacheBytes: 0 });
    dir = await tempDir();
  });
  afterEach(async () => {
    await harness.close();
    await removeDir(dir);
  });

  it('loads the fadvise addon on Linux', () => {
    expect(pageCacheDropAvailable).to.equal(process.platform === 'linux');
  });

  it('keeps a file written without the WAL resident (the measure itself works)', () => {
    const path = join(dir, 'plain');
    writeFileSync(path, Buffer.alloc(4 * MIB, 7));
    expect(residentBytes(path)).to.equal(4 * MIB);
  });

  it('drops what fsync always made durable beyond the newest pageCacheKeepBytes, and reads it back from the disk', async () => {
    const log = await openTestWal(harness, dir, { fsyncPolicy: 'always', segmentBytes: 256 * MIB, preallocate: true });
    const stored = await appendMany(log, BATCHES, (i) => ({ seed: i, payload: BATCH_PAYLOAD_BYTES }));
    const [segment] = await segmentFiles(dir);
    expect(log.segmentInfos()[0].sizeBytes).to.be.at.least(KEEP_BYTES + BEYOND_KEEP_BYTES);
    const resident = residentBytes(join(dir, segment));
    expect(resident, 'what is beyond the newest pageCacheKeepBytes leaves').to.be.at.most(KEEP_BYTES + RESIDENT_BEYOND_KEEP_MAX);
    expect((await readAll(log)).map((b) => b.toString('hex'))).to.deep.equal(stored.map((b) => b.toString('hex')));
    await log.close();
  });

  it('drops what an interval fsync made durable, never what is not synced yet', async () => {
    const log = await openTestWal(harness, dir, { fsyncPolicy: 'interval', fsyncIntervalMs: 60_000, segmentBytes: 256 * MIB });
    await appendMany(log, BATCHES, (i) => ({ seed: i, payload: BATCH_PAYLOAD_BYTES }));
    const path = join(dir, (await segmentFiles(dir))[0]);
    const written = log.segmentInfos()[0].sizeBytes;
    expect(residentBytes(path), 'written, not synced: all resident').to.equal(Math.ceil(written / 4096) * 4096);
    await log.syncWritten();
    expect(residentBytes(path), 'after the fsync, what is beyond the newest pageCacheKeepBytes leaves').to.be.at.most(KEEP_BYTES + RESIDENT_BEYOND_KEEP_MAX);
    await log.close();
  });

  // Which pages stay cached is the kernel's to decide (CI once saw the window 15 pages short of
  // resident): what the segment asks to drop is checked exactly instead.
  it('asks to drop exactly the synced bytes before the newest pageCacheKeepBytes, in page units, never the window', async () => {
    const segment = await Segment.create(dir, 0n, STORAGE_LIMITS.indexIntervalBytes, 0);
    const batch = Buffer.alloc(BATCH_PAYLOAD_BYTES - 17, 1);
    const seen: number[] = [];
    for (let i = 0; i < BATCHES; i++) {
      await segment.write([{ header: encodeFrameHeader(BigInt(i), batch), batch, baseOffset: BigInt(i), recordCount: 1, maxTimestampMs: 0 }]);
      if (i % 16 === 15) {
        await segment.sync();
        seen.push(segment.droppedBytes);
        const expected = pageFloor(segment.syncedBytes - KEEP_BYTES);
        // Nothing, or everything up to the window once a MiB or more has gathered.
        expect(segment.droppedBytes === expected || expected - segment.droppedBytes < STORAGE_LIMITS.syncedPageDropBytesMin, `after ${segment.syncedBytes} synced`).to.equal(true);
        expect(segment.droppedBytes, 'the window is never dropped').to.be.at.most(Math.max(0, segment.syncedBytes - KEEP_BYTES));
      }
    }
    expect(seen[0], 'nothing dropped while the segment is smaller than the window').to.equal(0);
    expect(segment.droppedBytes % 4096).to.equal(0);
    expect(segment.droppedBytes).to.be.at.least(BEYOND_KEEP_BYTES - STORAGE_LIMITS.syncedPageDropBytesMin - 4096);
    await segment.retire();
  });
});

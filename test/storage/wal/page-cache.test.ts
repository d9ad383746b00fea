import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readAll } from '../partition-log.contract';
import { STORAGE_LIMITS } from '../../../src/limits';
import { pageCacheDropAvailable } from '../../../src/storage/wal/page-cache';
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
    expect(resident, 'the newest pageCacheKeepBytes stay').to.be.at.least(KEEP_BYTES);
    expect(resident, 'what is beyond them leaves').to.be.at.most(KEEP_BYTES + RESIDENT_BEYOND_KEEP_MAX);
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
    const resident = residentBytes(path);
    expect(resident, 'after the fsync, the newest pageCacheKeepBytes stay').to.be.at.least(KEEP_BYTES);
    expect(resident, 'after the fsync, what is beyond them leaves').to.be.at.most(KEEP_BYTES + RESIDENT_BEYOND_KEEP_MAX);
    await log.close();
  });
});

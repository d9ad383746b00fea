import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readAll } from '../partition-log.contract';
import { pageCacheDropAvailable } from '../../../src/storage/wal/page-cache';
import { openTestWal, WalTestHarness } from './wal-harness';
import { appendMany, removeDir, segmentFiles, tempDir } from './wal-test-helpers';

const MIB = 1024 * 1024;
const BATCH_PAYLOAD_BYTES = 64 * 1024;

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

  it('drops what fsync always made durable from the page cache, and reads it back from the disk', async () => {
    const log = await openTestWal(harness, dir, { fsyncPolicy: 'always', segmentBytes: 64 * MIB, preallocate: true });
    const stored = await appendMany(log, 64, (i) => ({ seed: i, payload: BATCH_PAYLOAD_BYTES }));
    const [segment] = await segmentFiles(dir);
    const written = log.segmentInfos()[0].sizeBytes;
    expect(written).to.be.greaterThan(4 * MIB);
    // At most the last MiB gathered towards the next drop, plus the partial last page, stays.
    expect(residentBytes(join(dir, segment))).to.be.at.most(MIB + 4096);
    expect((await readAll(log)).map((b) => b.toString('hex'))).to.deep.equal(stored.map((b) => b.toString('hex')));
    await log.close();
  });

  it('drops what an interval fsync made durable, never what is not synced yet', async () => {
    const log = await openTestWal(harness, dir, { fsyncPolicy: 'interval', fsyncIntervalMs: 60_000, segmentBytes: 64 * MIB });
    await appendMany(log, 64, (i) => ({ seed: i, payload: BATCH_PAYLOAD_BYTES }));
    const path = join(dir, (await segmentFiles(dir))[0]);
    const written = log.segmentInfos()[0].sizeBytes;
    expect(residentBytes(path), 'written, not synced: all resident').to.equal(Math.ceil(written / 4096) * 4096);
    await log.syncWritten();
    expect(residentBytes(path), 'after the fsync').to.be.at.most(4096);
    await log.close();
  });
});

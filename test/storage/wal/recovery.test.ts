import { expect } from 'chai';
import { appendFile, open, readdir, readFile, stat, truncate, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CorruptLogError, isStorageError } from '../../../src/storage/errors';
import { ALLOW_TRUNCATION_FILE } from '../../../src/storage/wal/recovery';
import { readAll } from '../partition-log.contract';
import { testAppend } from '../support/test-batch-format';
import { openTestWal, WalTestHarness } from './wal-harness';
import { appendMany, removeDir, segmentFiles, tempDir } from './wal-test-helpers';

const FRAME_BYTES = 16 + 20 + 32;

describe('WAL recovery', () => {
  let harness: WalTestHarness;
  let dir: string;
  let stored: Buffer[];
  let firstSegment: string;

  beforeEach(async () => {
    harness = new WalTestHarness({ tailCacheBytes: 0 });
    dir = await tempDir();
    const log = await openTestWal(harness, dir);
    stored = await appendMany(log, 10);
    await log.close();
    firstSegment = join(dir, (await segmentFiles(dir))[0]);
  });
  afterEach(async () => {
    await harness.close();
    await removeDir(dir);
  });

  async function expectOpensWith(batches: Buffer[]): Promise<void> {
    const log = await openTestWal(harness, dir);
    try {
      expect(log.highWatermark()).to.equal(BigInt(batches.length));
      const read = await readAll(log);
      expect(read.map((b) => b.toString('hex'))).to.deep.equal(batches.map((b) => b.toString('hex')));
      const next = await log.append(testAppend({ seed: 1234 }));
      expect(next.baseOffset).to.equal(BigInt(batches.length));
    } finally {
      await log.close();
    }
  }

  async function flipByte(file: string, position: number): Promise<void> {
    const handle = await open(file, 'r+');
    const b = Buffer.alloc(1);
    await handle.read(b, 0, 1, position);
    b[0] ^= 0xff;
    await handle.write(b, 0, 1, position);
    await handle.close();
  }

  function truncationWarnings(): Array<Record<string, unknown>> {
    return harness.logLines.filter((l) => String(l.msg).includes('truncating a torn or bad final frame'));
  }

  it('keeps every batch of a cleanly closed log', async () => {
    await expectOpensWith(stored);
    expect(truncationWarnings()).to.have.length(0);
  });

  it('truncates a frame header cut short at the tail and says so in the log', async () => {
    await appendFile(firstSegment, Buffer.from([0, 0, 0, 0, 0, 0, 0, 10, 0, 0]));
    await expectOpensWith(stored);
    expect(truncationWarnings()).to.have.length(1);
    expect(truncationWarnings()[0]).to.include({ file: firstSegment, position: 10 * FRAME_BYTES, offset: '10' });
  });

  it('truncates a final frame whose batch bytes are cut short', async () => {
    await truncate(firstSegment, 10 * FRAME_BYTES - 5);
    await expectOpensWith(stored.slice(0, 9));
    expect(truncationWarnings()).to.have.length(1);
  });

  it('truncates a complete final frame whose crc does not match', async () => {
    await flipByte(firstSegment, 9 * FRAME_BYTES + 40);
    await expectOpensWith(stored.slice(0, 9));
    expect(String(truncationWarnings()[0].reason)).to.match(/crc mismatch/);
  });

  it('truncates a zero-filled tail (a file extended but never written)', async () => {
    await appendFile(firstSegment, Buffer.alloc(4096));
    await expectOpensWith(stored);
  });

  it('refuses to open when a frame in the middle is bad, naming the file and the offset', async () => {
    await flipByte(firstSegment, 3 * FRAME_BYTES + 30);
    let caught: unknown = null;
    await openTestWal(harness, dir).catch((err) => { caught = err; });
    expect(caught).to.be.instanceOf(CorruptLogError);
    const err = caught as CorruptLogError;
    expect(err.code).to.equal('CORRUPT_LOG');
    expect(err.file).to.equal(firstSegment);
    expect(err.offset).to.equal(3n);
    expect(err.message).to.include(firstSegment).and.include('offset 3');
    expect((await stat(firstSegment)).size).to.equal(10 * FRAME_BYTES);
  });

  it('cuts the log at a bad middle frame when the operator allows truncation', async () => {
    await flipByte(firstSegment, 3 * FRAME_BYTES + 30);
    const log = await openTestWal(harness, dir, { allowMidLogTruncation: true });
    expect(log.highWatermark()).to.equal(3n);
    expect((await readAll(log)).map((b) => b.toString('hex'))).to.deep.equal(stored.slice(0, 3).map((b) => b.toString('hex')));
    await log.close();
    expect(harness.logLines.some((l) => String(l.msg).includes('bad frame in the middle of the log'))).to.equal(true);
  });

  it('refuses to open when a sealed segment ends with a bad frame', async () => {
    const log = await openTestWal(harness, dir, { segmentBytes: 3 * FRAME_BYTES });
    await appendMany(log, 6, (i) => ({ seed: 100 + i }));
    await log.close();
    const files = await segmentFiles(dir);
    expect(files.length).to.be.greaterThan(2);
    const sealed = join(dir, files[files.length - 2]);
    const size = (await stat(sealed)).size;
    await truncate(sealed, size - 3);
    const err = await openTestWal(harness, dir).catch((e) => e);
    expect(isStorageError(err, 'CORRUPT_LOG')).to.equal(true);
  });

  it('drops the segments after the cut when truncation is allowed in a sealed segment', async () => {
    const log = await openTestWal(harness, dir, { segmentBytes: 3 * FRAME_BYTES });
    await appendMany(log, 6, (i) => ({ seed: 100 + i }));
    await log.close();
    const files = await segmentFiles(dir);
    await flipByte(join(dir, files[1]), 20);
    await unlink(join(dir, files[1].replace('.log', '.index')));
    const reopened = await openTestWal(harness, dir, { allowMidLogTruncation: true });
    expect(reopened.highWatermark()).to.equal(BigInt(files[1].slice(0, 20)));
    expect(await segmentFiles(dir)).to.deep.equal(files.slice(0, 2));
    await reopened.close();
  });

  it('scans a sealed segment whose index file is missing, refuses a bad frame in it, and rewrites the index', async () => {
    const log = await openTestWal(harness, dir, { segmentBytes: 3 * FRAME_BYTES });
    await appendMany(log, 6, (i) => ({ seed: 100 + i }));
    await log.close();
    const files = await segmentFiles(dir);
    const index = join(dir, files[1].replace('.log', '.index'));
    await unlink(index);
    await openTestWal(harness, dir).then((l) => l.close());
    expect((await stat(index)).size).to.be.greaterThan(0);
    await unlink(index);
    await flipByte(join(dir, files[1]), 20);
    const err = await openTestWal(harness, dir).catch((e) => e);
    expect(isStorageError(err, 'CORRUPT_LOG')).to.equal(true);
    expect(err.message).to.include(files[1]);
  });

  it('trusts a sealed segment with a matching index file at open and reports damage in it when read', async () => {
    const log = await openTestWal(harness, dir, { segmentBytes: 3 * FRAME_BYTES });
    await appendMany(log, 6, (i) => ({ seed: 100 + i }));
    await log.close();
    const files = await segmentFiles(dir);
    await flipByte(join(dir, files[1]), 20);
    const reopened = await openTestWal(harness, dir);
    const err = await reopened.read(BigInt(files[1].slice(0, 20)), 100).catch((e) => e);
    expect(err).to.be.instanceOf(CorruptLogError);
    expect(err.file).to.equal(join(dir, files[1]));
    await reopened.close();
  });

  it('ignores an index file that does not match its segment, and removes stray index files', async () => {
    const log = await openTestWal(harness, dir, { segmentBytes: 3 * FRAME_BYTES });
    const all = [...stored, ...(await appendMany(log, 6, (i) => ({ seed: 100 + i })))];
    await log.close();
    const files = await segmentFiles(dir);
    await writeFile(join(dir, files[1].replace('.log', '.index')), Buffer.from('garbage'));
    await writeFile(join(dir, '00000000000000999999.index'), Buffer.from('orphan'));
    await writeFile(join(dir, '00000000000000000003.index.tmp'), Buffer.from('half'));
    await expectOpensWith(all);
    const names = (await readdir(dir)).sort();
    expect(names).to.not.include('00000000000000999999.index');
    expect(names).to.not.include('00000000000000000003.index.tmp');
  });

  it('refuses to open when a segment is missing between two others', async () => {
    const log = await openTestWal(harness, dir, { segmentBytes: 3 * FRAME_BYTES });
    await appendMany(log, 6, (i) => ({ seed: 100 + i }));
    await log.close();
    const files = await segmentFiles(dir);
    await unlink(join(dir, files[1]));
    const err = await openTestWal(harness, dir).catch((e) => e);
    expect(isStorageError(err, 'CORRUPT_LOG')).to.equal(true);
    expect(err.message).to.include(files[2]);
  });

  it('cuts the log once when the operator leaves the permission file in the partition directory, then removes the file', async () => {
    await flipByte(firstSegment, 3 * FRAME_BYTES + 30);
    const err = await openTestWal(harness, dir).catch((e) => e);
    expect(err.message).to.include(join(dir, ALLOW_TRUNCATION_FILE));
    await writeFile(join(dir, ALLOW_TRUNCATION_FILE), '');
    const log = await openTestWal(harness, dir);
    expect(log.highWatermark()).to.equal(3n);
    await log.close();
    expect(await readdir(dir)).to.not.include(ALLOW_TRUNCATION_FILE);
  });

  it('cuts the log before a missing segment when truncation is allowed', async () => {
    const log = await openTestWal(harness, dir, { segmentBytes: 3 * FRAME_BYTES });
    await appendMany(log, 6, (i) => ({ seed: 100 + i }));
    await log.close();
    const files = await segmentFiles(dir);
    await unlink(join(dir, files[2]));
    const reopened = await openTestWal(harness, dir, { allowMidLogTruncation: true });
    expect(reopened.highWatermark()).to.equal(BigInt(files[2].slice(0, 20)));
    expect(await segmentFiles(dir)).to.deep.equal(files.slice(0, 2));
    expect((await reopened.append(testAppend())).baseOffset).to.equal(BigInt(files[2].slice(0, 20)));
    await reopened.close();
    const again = await openTestWal(harness, dir);
    expect(again.highWatermark()).to.equal(BigInt(files[2].slice(0, 20)) + 1n);
    await again.close();
  });

  it('treats a frame whose offset breaks the sequence as bad', async () => {
    const bytes = await readFile(firstSegment);
    await writeFile(firstSegment, Buffer.concat([bytes.subarray(0, 5 * FRAME_BYTES), bytes.subarray(6 * FRAME_BYTES)]));
    const err = await openTestWal(harness, dir).catch((e) => e);
    expect(isStorageError(err, 'CORRUPT_LOG')).to.equal(true);
    expect(err.message).to.include('offset 5');
  });
});

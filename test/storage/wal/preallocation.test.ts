import { expect } from 'chai';
import { cp, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { readAll } from '../partition-log.contract';
import { testAppend } from '../support/test-batch-format';
import { openTestWal, WalTestHarness } from './wal-harness';
import { appendMany, removeDir, segmentFiles, tempDir } from './wal-test-helpers';

const SEGMENT_BYTES = 64 * 1024;

describe('WAL preallocated segments', () => {
  let harness: WalTestHarness;
  let dir: string;
  const dirs: string[] = [];

  beforeEach(async () => {
    harness = new WalTestHarness({ tailCacheBytes: 0 });
    harness.logger.level = 'info';
    dir = await tempDir();
    dirs.push(dir);
  });
  afterEach(async () => {
    await harness.close();
    for (const d of dirs.splice(0)) await removeDir(d);
  });

  async function sizes(d: string): Promise<number[]> {
    return Promise.all((await segmentFiles(d)).map(async (name) => (await stat(join(d, name))).size));
  }

  it('extends the active segment file to segment.bytes when the log opens, and reads back only the frames', async () => {
    const log = await openTestWal(harness, dir, { preallocate: true, segmentBytes: SEGMENT_BYTES });
    expect(await sizes(dir)).to.deep.equal([SEGMENT_BYTES]);
    const stored = await appendMany(log, 5);
    expect(await sizes(dir)).to.deep.equal([SEGMENT_BYTES]);
    expect((await readAll(log)).map((b) => b.toString('hex'))).to.deep.equal(stored.map((b) => b.toString('hex')));
    await log.close();
  });

  it('leaves the file to grow with its frames when preallocate is off', async () => {
    const log = await openTestWal(harness, dir, { preallocate: false, segmentBytes: SEGMENT_BYTES });
    await appendMany(log, 3);
    expect((await sizes(dir))[0]).to.equal(log.segmentInfos()[0].sizeBytes);
    await log.close();
  });

  it('trims a segment to its frames when it is sealed, so it reopens from its index file without a scan', async () => {
    const log = await openTestWal(harness, dir, { preallocate: true, segmentBytes: 300 });
    const stored = await appendMany(log, 12);
    const infos = log.segmentInfos();
    expect(infos.length).to.be.greaterThan(2);
    const onDisk = await sizes(dir);
    for (let i = 0; i < infos.length - 1; i++) expect(onDisk[i], `sealed segment ${i}`).to.equal(infos[i].sizeBytes);
    expect(onDisk[onDisk.length - 1], 'the active segment is preallocated').to.equal(300);
    await log.close();
    const reopened = await openTestWal(harness, dir, { preallocate: true, segmentBytes: 300 });
    expect((await readAll(reopened)).map((b) => b.toString('hex'))).to.deep.equal(stored.map((b) => b.toString('hex')));
    await reopened.close();
    expect(harness.logLines.filter((l) => (l.level as number) >= 40), 'no warning at a clean reopen').to.deep.equal([]);
  });

  it('trims the active segment at a clean close', async () => {
    const log = await openTestWal(harness, dir, { preallocate: true, segmentBytes: SEGMENT_BYTES });
    await appendMany(log, 4);
    const written = log.segmentInfos()[0].sizeBytes;
    await log.close();
    expect(await sizes(dir)).to.deep.equal([written]);
  });

  it('after a crash (zeros after the frames) keeps every acknowledged batch, names the dropped space, and appends after them', async () => {
    for (const fsyncPolicy of ['always', 'interval'] as const) {
      const live = await tempDir();
      const copy = await tempDir();
      dirs.push(live, copy);
      const log = await openTestWal(harness, live, { preallocate: true, segmentBytes: SEGMENT_BYTES, fsyncPolicy });
      const stored = await appendMany(log, 7);
      // A copy of the open log's files is what a crash leaves: the preallocated size, zeros after the frames.
      await cp(live, copy, { recursive: true });
      await log.close();
      expect(await sizes(copy)).to.deep.equal([SEGMENT_BYTES]);
      harness.logLines.length = 0;
      const recovered = await openTestWal(harness, copy, { preallocate: true, segmentBytes: SEGMENT_BYTES, fsyncPolicy });
      expect(recovered.highWatermark()).to.equal(7n);
      expect((await readAll(recovered)).map((b) => b.toString('hex'))).to.deep.equal(stored.map((b) => b.toString('hex')));
      expect(harness.logLines.map((l) => l.msg)).to.deep.equal(['dropping the preallocated space after the last frame']);
      expect(await sizes(copy), 'preallocated again for the appends to come').to.deep.equal([SEGMENT_BYTES]);
      expect((await recovered.append(testAppend({ seed: 99 }))).baseOffset).to.equal(7n);
      await recovered.close();
    }
  });

  it('preallocates the segments rolled after a reconfigure turns it on', async () => {
    const log = await openTestWal(harness, dir, { preallocate: false, segmentBytes: 300 });
    await appendMany(log, 2);
    expect((await sizes(dir))[0]).to.be.below(300);
    log.reconfigure({ preallocate: true });
    await appendMany(log, 6);
    const onDisk = await sizes(dir);
    expect(onDisk.length).to.be.greaterThan(1);
    expect(onDisk[onDisk.length - 1]).to.equal(300);
    await log.close();
  });
});

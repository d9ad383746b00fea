import { expect } from 'chai';
import type { FileHandle } from 'node:fs/promises';
import { isStorageError } from '../../../src/storage/errors';
import { Segment } from '../../../src/storage/wal/segment';
import type { WalPartitionLog } from '../../../src/storage/wal/wal-partition-log';
import { readAll } from '../partition-log.contract';
import { testAppend } from '../support/test-batch-format';
import { openTestWal, WalTestHarness } from './wal-harness';
import { appendMany, removeDir, tempDir } from './wal-test-helpers';

/** Fault injection: closes the active segment's file under the log, so its next write fails. */
async function breakActiveSegment(log: WalPartitionLog): Promise<void> {
  const segments = (log as unknown as { segments: Array<{ file(): Promise<FileHandle> }> }).segments;
  await (await segments[segments.length - 1].file()).close();
}

describe('WAL failures and bad arguments', () => {
  let harness: WalTestHarness;
  let dir: string;
  beforeEach(async () => { harness = new WalTestHarness(); dir = await tempDir(); });
  afterEach(async () => { await harness.close(); await removeDir(dir); });

  it('fails the appends of a failed write with STORAGE_IO, refuses later ones, and loses nothing acknowledged', async () => {
    const log = await openTestWal(harness, dir);
    const stored = await appendMany(log, 3);
    await breakActiveSegment(log);
    const failed = await Promise.all([log.append(testAppend()), log.append(testAppend())].map((p) => p.catch((e) => e)));
    for (const err of failed) expect(isStorageError(err, 'STORAGE_IO')).to.equal(true);
    expect(isStorageError(await log.append(testAppend()).catch((e) => e), 'STORAGE_IO')).to.equal(true);
    expect(log.highWatermark()).to.equal(3n);
    await log.close().catch(() => undefined);
    const reopened = await openTestWal(harness, dir);
    expect((await readAll(reopened)).map((b) => b.toString('hex'))).to.deep.equal(stored.map((b) => b.toString('hex')));
    expect((await reopened.append(testAppend())).baseOffset).to.equal(3n);
    await reopened.close();
  });

  it('with fsync always, refuses every append a failed fdatasync covered and every one written while it ran, and acknowledges none', async () => {
    const log = await openTestWal(harness, dir, { fsyncPolicy: 'always' });
    const stored = await appendMany(log, 3);
    const originalSync = Segment.prototype.sync;
    let syncStarted!: () => void;
    const started = new Promise<void>((resolve) => { syncStarted = resolve; });
    let syncs = 0;
    // Only the first fdatasync fails: a later one would succeed, so nothing but the log's own rule refuses the frames written meanwhile.
    Segment.prototype.sync = async function (this: Segment) {
      if (syncs++ > 0) return originalSync.call(this);
      syncStarted();
      await new Promise((resolve) => setTimeout(resolve, 50));
      throw Object.assign(new Error('EIO: injected fdatasync failure'), { code: 'EIO' });
    };
    try {
      const covered = [log.append(testAppend()), log.append(testAppend())].map((p) => p.catch((e) => e));
      await started;
      // Written while the failing fdatasync runs: the next fdatasync would have covered them.
      const writtenMeanwhile = [log.append(testAppend()), log.append(testAppend())].map((p) => p.catch((e) => e));
      for (const result of await Promise.all([...covered, ...writtenMeanwhile])) expect(isStorageError(result, 'STORAGE_IO'), String(result)).to.equal(true);
    } finally {
      Segment.prototype.sync = originalSync;
    }
    expect(log.highWatermark()).to.equal(3n);
    expect(log.durableEndOffset()).to.equal(3n);
    expect(isStorageError(await log.append(testAppend()).catch((e) => e), 'STORAGE_IO')).to.equal(true);
    await log.close().catch(() => undefined);
    const reopened = await openTestWal(harness, dir);
    const batches = await readAll(reopened);
    expect(batches.slice(0, 3).map((b) => b.toString('hex')), 'every acknowledged batch survives').to.deep.equal(stored.map((b) => b.toString('hex')));
    await reopened.close();
  });

  it('refuses non-bigint offsets and a NaN byte budget with INVALID_ARGUMENT', async () => {
    const log = await openTestWal(harness, dir);
    await appendMany(log, 2);
    const bad = [
      log.read(0 as unknown as bigint, 100),
      log.read(0n, NaN),
      log.truncate(1 as unknown as bigint),
      log.offsetForTimestamp(5 as unknown as bigint),
    ];
    for (const p of bad) expect(isStorageError(await p.catch((e) => e), 'INVALID_ARGUMENT')).to.equal(true);
    expect((await log.read(0n, -5)).chunks).to.have.length(1);
    await log.close();
  });

  it('refuses a batch whose header disagrees with the append, so recovery reads back the same values', async () => {
    const log = await openTestWal(harness, dir);
    const input = testAppend({ recordCount: 3, maxTimestampMs: 50n });
    expect(isStorageError(await log.append({ ...input, recordCount: 2 }).catch((e) => e), 'INVALID_BATCH')).to.equal(true);
    expect(isStorageError(await log.append({ ...input, maxTimestampMs: 51n }).catch((e) => e), 'INVALID_BATCH')).to.equal(true);
    expect(isStorageError(await log.append({ ...input, batch: Buffer.alloc(3) }).catch((e) => e), 'INVALID_BATCH')).to.equal(true);
    expect(log.highWatermark()).to.equal(0n);
    await log.close();
  });

  it('puts an append made while a truncation is pending after the cut, never inside what it drops', async () => {
    const log = await openTestWal(harness, dir);
    await appendMany(log, 4);
    const cut = log.truncate(2n);
    const late = testAppend({ seed: 42 });
    const appended = log.append(late);
    await cut;
    expect((await appended).baseOffset).to.equal(2n);
    const r = await log.read(2n, 1 << 20);
    expect(r.chunks).to.have.length(1);
    expect(r.chunks[0].equals(late.batch)).to.equal(true);
    await log.close();
  });

  it('refuses a bad config with INVALID_ARGUMENT', async () => {
    const err = await openTestWal(harness, dir, { segmentBytes: 0 }).catch((e) => e);
    expect(isStorageError(err, 'INVALID_ARGUMENT')).to.equal(true);
  });

  it('reads concurrently with retention without failing on deleted segments', async () => {
    const log = await openTestWal(new WalTestHarness({ tailCacheBytes: 0 }), dir, { segmentBytes: 200, retentionBytes: 0 });
    await appendMany(log, 20);
    const reads = Array.from({ length: 20 }, (_, i) => log.read(BigInt(i), 1 << 20).catch((e) => e));
    await log.applyRetention();
    for (const r of await Promise.all(reads)) {
      if (r instanceof Error) expect(isStorageError(r, 'OFFSET_OUT_OF_RANGE'), String(r)).to.equal(true);
      else expect(r.chunks.length).to.be.greaterThan(0);
    }
    await log.close();
  });
});

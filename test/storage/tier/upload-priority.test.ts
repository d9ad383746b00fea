/**
 * Background uploads run at a lower CPU priority than the hot path (tier.uploadNice): the
 * upload's WAL reads and frame checks in a worker thread at that nice value, the event loop
 * untouched; opendal's runtime threads only when asked (tier.opendalNice). Uploads that fall
 * behind only make local segments wait: local retention deletes nothing not recorded in object storage.
 */
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TIER_LIMITS } from '../../../src/limits';
import type { WalPartitionLog } from '../../../src/storage/wal/wal-partition-log';
import { lowerRuntimeThreadsPriority, RUNTIME_THREAD_NAME, threadNice, threadsNamed } from '../../../src/storage/tier/runtime-thread-priority';
import { WalTestHarness } from '../wal/wal-harness';
import { testAppend } from '../support/test-batch-format';
import { OwnedTieredLog, openTiered } from './tiered-harness';

async function appendSome(log: OwnedTieredLog, count: number, seed: number): Promise<void> {
  for (let i = 0; i < count; i++) await log.append(testAppend({ recordCount: 2, payload: 60, seed: seed + i }));
}

/** Every batch of `log` from offset 0, as hex (object storage below the WAL, then the WAL). */
async function readAll(log: OwnedTieredLog): Promise<string[]> {
  const out: string[] = [];
  let offset = log.logStartOffset();
  while (offset < log.highWatermark()) {
    const read = await log.read(offset, 1 << 20);
    out.push(...read.chunks.map((c) => c.toString('hex')));
    offset = read.nextOffset;
  }
  return out;
}

describe('upload priority (tier.uploadNice)', () => {
  let dir: string;
  let harness: WalTestHarness;
  let log: OwnedTieredLog | null = null;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tributary-upload-priority-'));
    harness = new WalTestHarness();
  });
  afterEach(async () => {
    await log?.close();
    log = null;
    await harness.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads at TIER_LIMITS.uploadNiceDefault, a lower priority than the broker\'s, and leaves opendal\'s threads as they are by default', async () => {
    log = await openTiered(harness, dir, 'local', false);
    expect(TIER_LIMITS.uploadNiceDefault).to.be.greaterThan(0);
    expect(TIER_LIMITS.opendalNiceDefault).to.equal(0);
    expect(log.ownTier.readWorker?.nice).to.equal(TIER_LIMITS.uploadNiceDefault);
    await appendSome(log, 30, 1);
    await log.ownTier.uploads.runOnce();
    const runtime = threadsNamed(RUNTIME_THREAD_NAME);
    const before = runtime.map((tid) => threadNice(tid));
    await appendSome(log, 30, 100);
    await log.ownTier.uploads.runOnce();
    expect(runtime.map((tid) => threadNice(tid))).to.deep.equal(before);
  });

  it('reads for uploads in a worker thread at that nice value, opendal\'s threads at least as nice when asked, the event loop untouched (Linux)', async function () {
    const mainNice = threadNice(process.pid);
    if (mainNice === null) this.skip();
    log = await openTiered(harness, dir, 'local', false, { uploadNice: 12, runtimeThreadsNice: 12 });
    await appendSome(log, 30, 1);
    const before = await readAll(log);
    await log.moveToObjects();
    const worker = log.ownTier.readWorker!;
    expect(worker.thread?.tid, 'the worker read the WAL').to.be.a('number');
    expect(threadNice(worker.thread!.tid!)).to.equal(Math.max(12, mainNice!));
    const runtime = threadsNamed(RUNTIME_THREAD_NAME);
    expect(runtime, 'opendal runtime threads').to.not.be.empty;
    for (const tid of runtime) expect(threadNice(tid), `thread ${tid}`).to.be.at.least(12);
    expect(threadNice(process.pid)).to.equal(mainNice);
    expect(log.ownTier.index.endOffset('t', 0)).to.equal(log.highWatermark());
    expect((log.local as WalPartitionLog).logStartOffset() > 0n, 'uploaded segments left the WAL').to.equal(true);
    expect(await readAll(log)).to.deep.equal(before);
  });

  it('with 0, reads for uploads on the event loop (no worker) and uploads the same', async () => {
    log = await openTiered(harness, dir, 'local', false, { uploadNice: 0 });
    await appendSome(log, 30, 1);
    const before = await readAll(log);
    await log.moveToObjects();
    expect(log.ownTier.readWorker).to.equal(null);
    expect(log.ownTier.index.endOffset('t', 0)).to.equal(log.highWatermark());
    expect(await readAll(log)).to.deep.equal(before);
  });

  it('only ever raises a runtime thread\'s nice value, never lowers it', function () {
    const runtime = threadsNamed(RUNTIME_THREAD_NAME);
    if (runtime.length === 0) this.skip();
    const before = runtime.map((tid) => threadNice(tid)!);
    lowerRuntimeThreadsPriority(1);
    expect(runtime.map((tid) => threadNice(tid))).to.deep.equal(before.map((n) => Math.max(n, 1)));
  });

  it('keeps every local segment not yet uploaded while uploads fall behind, and lets them go once uploaded', async () => {
    log = await openTiered(harness, dir, 'local', false);
    await appendSome(log, 40, 1);
    const wal = log.local as WalPartitionLog;
    const segments = wal.segmentInfos().length;
    expect(segments, 'several segments').to.be.greaterThan(3);
    await wal.applyRetention();
    expect(wal.segmentInfos().length, 'nothing uploaded: nothing deleted').to.equal(segments);
    expect(wal.logStartOffset()).to.equal(0n);
    await log.moveToObjects();
    expect(wal.segmentInfos().length).to.be.lessThan(segments);
    expect(log.logStartOffset()).to.equal(0n);
  });
});

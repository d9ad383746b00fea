import { expect } from 'chai';
import { isStorageError } from '../../../src/storage/errors';
import { STORAGE_LIMITS } from '../../../src/limits';
import type { AppendResult } from '../../../src/storage/partition-log';
import { OutgoingFrame, Segment } from '../../../src/storage/wal/segment';
import type { WalLogConfig } from '../../../src/storage/wal/wal-config';
import type { WalPartitionLog } from '../../../src/storage/wal/wal-partition-log';
import { testAppend } from '../support/test-batch-format';
import { openTestWal, WalTestHarness } from './wal-harness';
import { readAll } from '../partition-log.contract';
import { appendMany, removeDir, tempDir, watchFileHandles } from './wal-test-helpers';

describe('Group commit', () => {
  let dir: string;
  beforeEach(async () => { dir = await tempDir(); });
  afterEach(async () => { await removeDir(dir); });

  it('with fsync always, concurrent appends share one write and one fdatasync', async () => {
    const harness = new WalTestHarness();
    const log = await openTestWal(harness, dir, { fsyncPolicy: 'always' });
    await Promise.all(Array.from({ length: 64 }, (_, i) => log.append(testAppend({ seed: i }))));
    expect(log.stats.syncs).to.equal(1);
    expect(log.stats.writes).to.equal(1);
    expect(log.durableEndOffset()).to.equal(64n);
    await log.close();
  });

  it('with fsync always, holds an idle loop open for the window so appends of the next turns share the fsync', async () => {
    const harness = new WalTestHarness();
    const log = await openTestWal(harness, dir, { fsyncPolicy: 'always' });
    const first = log.append(testAppend());
    await new Promise((resolve) => setImmediate(resolve));
    const second = log.append(testAppend());
    await Promise.all([first, second]);
    expect(log.stats.syncs).to.equal(1);
    await log.close();
  });

  it('starts a cycle at once when groupCommitBytesMax is pending, without waiting for the window', async () => {
    const harness = new WalTestHarness({ groupCommit: { windowMs: 60_000, groupBytesMax: 1000 } });
    const log = await openTestWal(harness, dir, { fsyncPolicy: 'always' });
    let firstDone = false;
    const first = log.append(testAppend({ payload: 400 })).then((r) => { firstDone = true; return r; });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(firstDone, 'a small append waits for the window').to.equal(false);
    const second = log.append(testAppend({ payload: 700 }));
    const results = await Promise.all([first, second]);
    expect(results.map((r) => r.baseOffset)).to.deep.equal([0n, 1n]);
    expect(log.stats.syncs).to.equal(1);
    await log.close();
  });

  it('with fsync always, acknowledges an append only after an fdatasync that started after its write', async () => {
    const events = await traceGroupCommit(async (log, ack) => {
      await Promise.all(Array.from({ length: 8 }, async (_, appender) => {
        for (let i = 0; i < 40; i++) ack(await log.append(testAppend({ payload: 100 + ((appender * 40 + i) % 900) })));
      }));
    }, { segmentBytes: 20_000 });
    expectAcksAfterCoveringSync(events);
    expect(events.filter((e) => e.kind === 'ack')).to.have.length(320);
  });

  it('with fsync always, writes more than alwaysWriteBytesMax pending in parts, the next part while the fdatasync of the previous runs, each acknowledged after its own', async () => {
    const appenders = Math.ceil((2.5 * STORAGE_LIMITS.alwaysWriteBytesMax) / (16 * 1024));
    const events = await traceGroupCommit(async (log, ack) => {
      await Promise.all(Array.from({ length: appenders }, async (_, i) => {
        for (let round = 0; round < 3; round++) ack(await log.append(testAppend({ seed: i, payload: 16 * 1024 })));
      }));
    }, { segmentBytes: 64 * 1024 * 1024 }, { holdFirstSyncUntilAWrite: true });
    expectAcksAfterCoveringSync(events);
    expect(events.filter((e) => e.kind === 'ack')).to.have.length(appenders * 3);
    const writeBytes = events.filter((e) => e.kind === 'write-end').map((e) => e.bytes!);
    expect(Math.max(...writeBytes), 'no write takes more than the cap (plus one frame)').to.be.at.most(STORAGE_LIMITS.alwaysWriteBytesMax + 16 * 1024 + 64);
    let syncing = 0;
    let overlapped = false;
    for (const e of events) {
      if (e.kind === 'sync-start') syncing++;
      if (e.kind === 'sync-end') syncing--;
      if (e.kind === 'write-end' && syncing > 0) overlapped = true;
    }
    expect(overlapped, 'a write completed while an fdatasync ran').to.equal(true);
  });

  it('flushes all partitions in one cycle, each with its own fdatasync', async () => {
    const harness = new WalTestHarness();
    const logs = await Promise.all([0, 1, 2].map((i) => openTestWal(harness, `${dir}/${i}`)));
    await Promise.all(logs.flatMap((log) => Array.from({ length: 10 }, (_, i) => log.append(testAppend({ seed: i })))));
    expect(logs.map((l) => [l.stats.writes, l.stats.syncs, l.highWatermark()])).to.deep.equal([[1, 1, 10n], [1, 1, 10n], [1, 1, 10n]]);
    await Promise.all(logs.map((l) => l.close()));
  });

  it('with fsync interval, acknowledges once written and fsyncs on the timer', async () => {
    const harness = new WalTestHarness();
    harness.nowMs = Date.now();
    const log = await openTestWal(harness, dir, { fsyncPolicy: 'interval', fsyncIntervalMs: 20 });
    await log.append(testAppend());
    expect(log.highWatermark()).to.equal(1n);
    expect(log.stats.syncs).to.equal(0);
    const deadline = Date.now() + 2000;
    while (log.durableEndOffset() < 1n && Date.now() < deadline) {
      harness.nowMs = Date.now();
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(log.durableEndOffset()).to.equal(1n);
    expect(log.stats.syncs).to.be.greaterThan(0);
    await log.close();
  });

  it('with fsync interval, writes a small append from the event loop (no thread-pool write), and rolls segments by size on the way', async () => {
    const harness = new WalTestHarness();
    const log = await openTestWal(harness, dir, { fsyncPolicy: 'interval', segmentBytes: 4096 });
    let poolWrites = 0;
    await watchFileHandles('writev', () => { poolWrites++; }, async () => {
      for (let i = 0; i < 5; i++) await log.append(testAppend({ seed: i, payload: 500 }));
    });
    expect(poolWrites).to.equal(0);
    expect(log.stats.writes).to.equal(5);
    const stored = await appendMany(log, 10, (i) => ({ seed: 10 + i, payload: 500 }));
    expect(log.stats.rolls, 'rolls by size').to.be.greaterThan(0);
    expect((await readAll(log)).slice(5).map((b) => b.toString('hex'))).to.deep.equal(stored.map((b) => b.toString('hex')));
    await log.close();
  });

  it('with fsync never, acknowledges once written and fsyncs only on roll and close', async () => {
    const harness = new WalTestHarness();
    const log = await openTestWal(harness, dir, { fsyncPolicy: 'never' });
    await Promise.all(Array.from({ length: 10 }, () => log.append(testAppend())));
    expect(log.highWatermark()).to.equal(10n);
    expect(log.stats.syncs).to.equal(0);
    expect(log.durableEndOffset()).to.equal(0n);
    await log.close();
    expect(log.stats.syncs).to.equal(1);
  });

  it('applies a changed fsync policy to the open log', async () => {
    const harness = new WalTestHarness();
    const log = await openTestWal(harness, dir, { fsyncPolicy: 'never' });
    await log.append(testAppend());
    expect(log.stats.syncs).to.equal(0);
    log.reconfigure({ fsyncPolicy: 'always' });
    await log.append(testAppend());
    expect(log.stats.syncs).to.equal(1);
    expect(log.durableEndOffset()).to.equal(2n);
    await log.close();
  });

  it('refuses appends past the pending-bytes limit and loses none it accepted', async () => {
    const harness = new WalTestHarness({ groupCommit: { pendingBytesMax: 200 } });
    const log = await openTestWal(harness, dir);
    const first = log.append(testAppend({ payload: 100 }));
    const second = log.append(testAppend({ payload: 100 })).catch((e) => e);
    expect((await first).baseOffset).to.equal(0n);
    expect(isStorageError(await second, 'APPEND_QUEUE_FULL')).to.equal(true);
    expect((await log.append(testAppend({ payload: 100 }))).baseOffset).to.equal(1n);
    await log.close();
  });

  it('finishes appends already queued when the log closes, then refuses new ones', async () => {
    const harness = new WalTestHarness();
    const log = await openTestWal(harness, dir);
    const queued = Array.from({ length: 5 }, () => log.append(testAppend()));
    const closing = log.close();
    const late = await log.append(testAppend()).catch((e) => e);
    expect(isStorageError(late, 'LOG_CLOSED')).to.equal(true);
    expect((await Promise.all(queued)).map((r) => r.baseOffset)).to.deep.equal([0n, 1n, 2n, 3n, 4n]);
    await closing;
  });
});

type TraceEvent = { kind: 'written' | 'write-end' | 'sync-start' | 'sync-end' | 'ack'; offset?: bigint; id?: number; bytes?: number };

/** Runs appends on a fresh `always` log with its writes, fdatasyncs and acknowledgements traced in order. */
async function traceGroupCommit(
  run: (log: WalPartitionLog, ack: (result: AppendResult) => void) => Promise<void>,
  config: Partial<WalLogConfig>,
  options: { holdFirstSyncUntilAWrite?: boolean } = {},
): Promise<TraceEvent[]> {
  const events: TraceEvent[] = [];
  const originalWrite = Segment.prototype.write;
  const originalWriteNow = Segment.prototype.writeNow;
  const originalSync = Segment.prototype.sync;
  let syncIds = 0;
  let writeEnded: (() => void) | null = null;
  const traceWrite = (frames: OutgoingFrame[]) => {
    writeEnded?.();
    for (const f of frames) events.push({ kind: 'written', offset: f.baseOffset });
    events.push({ kind: 'write-end', bytes: frames.reduce((sum, f) => sum + f.header.length + f.batch.length, 0) });
  };
  // A write goes through writeNow (from the event loop) or write (which tries writeNow first): each traced once.
  let inWrite = false;
  Segment.prototype.writeNow = function (this: Segment, frames) {
    const done = originalWriteNow.call(this, frames);
    if (done && !inWrite) traceWrite(frames);
    return done;
  };
  Segment.prototype.write = async function (this: Segment, frames) {
    inWrite = true;
    let pending: Promise<void>;
    try {
      pending = originalWrite.call(this, frames);
    } finally {
      inWrite = false;
    }
    await pending;
    traceWrite(frames);
  };
  Segment.prototype.sync = async function (this: Segment) {
    const id = syncIds++;
    events.push({ kind: 'sync-start', id });
    if (id === 0 && options.holdFirstSyncUntilAWrite) {
      // A disk whose fdatasync is quicker than a write must not decide whether the two overlap:
      // this one lasts until the write stage completes a write (at most 1 s, when it would not).
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 1000);
        writeEnded = () => { clearTimeout(timer); resolve(); };
      });
    }
    const covered = await originalSync.call(this);
    events.push({ kind: 'sync-end', id });
    return covered;
  };
  const dir = await tempDir();
  try {
    const harness = new WalTestHarness();
    const log = await openTestWal(harness, dir, { fsyncPolicy: 'always', ...config });
    await run(log, (r) => events.push({ kind: 'ack', offset: r.baseOffset }));
    await log.close();
  } finally {
    Segment.prototype.write = originalWrite;
    Segment.prototype.writeNow = originalWriteNow;
    Segment.prototype.sync = originalSync;
    await removeDir(dir);
  }
  return events;
}

function expectAcksAfterCoveringSync(events: TraceEvent[]): void {
  for (const [i, e] of events.entries()) {
    if (e.kind !== 'ack') continue;
    const written = events.findIndex((w) => w.kind === 'written' && w.offset === e.offset);
    const covering = events.slice(written, i).filter((x) => x.kind === 'sync-start').map((x) => x.id);
    const finished = events.slice(written, i).some((x) => x.kind === 'sync-end' && covering.includes(x.id));
    expect(finished, `ack of offset ${e.offset} follows an fdatasync started after its write`).to.equal(true);
  }
}

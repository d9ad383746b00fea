import { expect } from 'chai';
import { FlushScheduler, FlushTarget } from '../../src/storage/flush-scheduler';

/** A log stand-in: records each flushPending call; `done` decides whether it finished at once (null) or later. */
class FakeLog implements FlushTarget {
  flushes = 0;
  private release: (() => void) | null = null;
  onFlush: (() => void) | null = null;
  constructor(private readonly writesAtOnce: boolean) {}

  flushPending(): Promise<void> | null {
    this.flushes++;
    this.onFlush?.();
    if (this.writesAtOnce) return null;
    return new Promise<void>((resolve) => { this.release = resolve; });
  }

  finishWrite(): void {
    this.release?.();
    this.release = null;
  }

  syncWritten(): Promise<void> {
    return Promise.resolve();
  }
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('Flush scheduler', () => {
  it('flushes an enqueued log at the end of the event-loop turn, and again for appends after a pass the log finished at once', async () => {
    const scheduler = new FlushScheduler();
    const log = new FakeLog(true);
    scheduler.enqueue(log, 100, false);
    expect(log.flushes, 'not within the turn of the append').to.equal(0);
    await nextTurn();
    expect(log.flushes).to.equal(1);
    scheduler.enqueue(log, 100, false);
    await nextTurn();
    expect(log.flushes).to.equal(2);
  });

  it('flushes in a next pass a log enqueued again while a pass it finished at once ran', async () => {
    const scheduler = new FlushScheduler();
    const log = new FakeLog(true);
    log.onFlush = () => {
      log.onFlush = null;
      scheduler.enqueue(log, 0, false);
    };
    scheduler.enqueue(log, 100, false);
    await nextTurn();
    await nextTurn();
    expect(log.flushes).to.equal(2);
  });

  it('holds appends that come while a log writes on the thread pool for the pass after that write', async () => {
    const scheduler = new FlushScheduler();
    const slow = new FakeLog(false);
    const quick = new FakeLog(true);
    scheduler.enqueue(slow, 100, false);
    scheduler.enqueue(quick, 100, false);
    await nextTurn();
    expect([slow.flushes, quick.flushes]).to.deep.equal([1, 1]);
    scheduler.enqueue(quick, 100, false);
    await nextTurn();
    await nextTurn();
    expect(quick.flushes, 'the pass still waits for the slow log').to.equal(1);
    slow.finishWrite();
    await nextTurn();
    await nextTurn();
    expect([slow.flushes, quick.flushes]).to.deep.equal([1, 2]);
  });

  it('counts pending bytes against the limit until a log takes them', () => {
    const scheduler = new FlushScheduler({ pendingBytesMax: 1000 });
    const log = new FakeLog(true);
    scheduler.enqueue(log, 600, false);
    expect(scheduler.hasRoomFor(400)).to.equal(true);
    expect(scheduler.hasRoomFor(401)).to.equal(false);
    scheduler.taken(600);
    expect(scheduler.hasRoomFor(1000)).to.equal(true);
  });
});

/**
 * What the WAL may do from the event loop itself instead of libuv's thread pool, whose two thread
 * wake-ups per call cost more than a small call and, on a busy machine, wait for a core each.
 *
 * Writes: bytes per turn of the loop, all logs together. A small write goes to the page cache
 * inline (segment.ts), but a flush cycle over many partitions makes one small write per partition
 * in the same turn: past this budget the rest goes to the pool, so one turn never copies more than
 * about a tenth of a millisecond's worth.
 *
 * fdatasyncs: one with little written since the last (STORAGE_LIMITS.inlineSyncDirtyBytesMax)
 * runs inline while the turn has spent under inlineSyncTurnMsMax in them. When the running mean
 * of their durations passes inlineSyncSlowMeanMs the disk is slow now (writeback, other I/O):
 * for the next inlineSyncBackoffMs every fdatasync goes to the pool, so a slow disk never stalls
 * the loop for long. A mean, not each one: about 1 % of fdatasyncs of a few hundred bytes take
 * over 2 ms on this VM's idle disk (p50 0.3, p99 1.8-2.2, max 10-12 ms), and backing off after
 * each of those kept them all on the pool. docs/storage.md, "fdatasync from the event loop".
 */
import { STORAGE_LIMITS } from '../../limits';

/** The budgets' state; the WAL uses the one `inlineIoBudget` below, tests make their own. */
export class InlineIoBudget {
  private spentBytes = 0;
  private spentSyncMs = 0;
  private resetScheduled = false;
  /** Running (exponentially weighted) mean of inline fdatasync durations since the last back-off. */
  private meanSyncMs = 0;
  /** performance.now() before which fdatasyncs stay on the pool (the disk was slow); 0 = none. */
  private syncsOnPoolUntilMs = 0;
  private readonly reset = () => {
    this.spentBytes = 0;
    this.spentSyncMs = 0;
    this.resetScheduled = false;
  };

  /** Whether a write of `bytes` may go inline now; if so, it is counted against this turn. */
  takeWrite(bytes: number): boolean {
    if (bytes > STORAGE_LIMITS.inlineWriteBytesMax || this.spentBytes + bytes > STORAGE_LIMITS.inlineWriteTurnBytesMax) return false;
    this.spentBytes += bytes;
    this.scheduleReset();
    return true;
  }

  /** Whether an fdatasync covering `dirtyBytes` written since the last one may run inline now. */
  takeSync(dirtyBytes: number): boolean {
    if (dirtyBytes > STORAGE_LIMITS.inlineSyncDirtyBytesMax || this.spentSyncMs >= STORAGE_LIMITS.inlineSyncTurnMsMax) return false;
    if (this.syncsOnPoolUntilMs > 0) {
      if (performance.now() < this.syncsOnPoolUntilMs) return false;
      this.syncsOnPoolUntilMs = 0;
    }
    this.scheduleReset();
    return true;
  }

  /** Counts an inline fdatasync's duration against the turn and the mean, and backs off to the pool when the mean is slow. */
  syncTook(ms: number): void {
    this.spentSyncMs += ms;
    this.scheduleReset(); // takeSync scheduled it already; a caller that skipped it still gets its turn reset.
    this.meanSyncMs += (ms - this.meanSyncMs) * STORAGE_LIMITS.inlineSyncMeanWeight;
    if (this.meanSyncMs <= STORAGE_LIMITS.inlineSyncSlowMeanMs) return;
    this.syncsOnPoolUntilMs = performance.now() + STORAGE_LIMITS.inlineSyncBackoffMs;
    this.meanSyncMs = 0;
  }

  /** Whether fdatasyncs are on the pool now because the disk was slow (tests). */
  backingOff(): boolean {
    return this.syncsOnPoolUntilMs > 0 && performance.now() < this.syncsOnPoolUntilMs;
  }

  private scheduleReset(): void {
    if (this.resetScheduled) return;
    this.resetScheduled = true;
    // Unref'd: a ref'd immediate makes the loop's next poll non-blocking, so every turn that wrote
    // inline cost one more loop iteration (an epoll_pwait) just for this reset. Unref'd, it still
    // runs at the loop's next check phase (the end of this turn, or of the next one when the write
    // ran in an immediate), ahead of the flush passes scheduled after it.
    setImmediate(this.reset).unref();
  }
}

/** One for the process: the event loop it budgets is the process's. */
export const inlineIoBudget = new InlineIoBudget();

/**
 * Bytes the WAL may write from the event loop in one turn of it, all logs together. A small
 * write goes to the page cache inline (segment.ts), but a flush cycle over many partitions makes
 * one small write per partition in the same turn: past this budget the rest goes to libuv's
 * thread pool, so one turn never copies more than about a tenth of a millisecond's worth.
 */
import { STORAGE_LIMITS } from '../../limits';

let spentBytes = 0;
let resetScheduled = false;

function reset(): void {
  spentBytes = 0;
  resetScheduled = false;
}

/** Whether a write of `bytes` may go inline now; if so, it is counted against this turn. */
export function takeInlineWriteBudget(bytes: number): boolean {
  if (bytes > STORAGE_LIMITS.inlineWriteBytesMax || spentBytes + bytes > STORAGE_LIMITS.inlineWriteTurnBytesMax) return false;
  spentBytes += bytes;
  if (!resetScheduled) {
    resetScheduled = true;
    // Unref'd: a ref'd immediate makes the loop's next poll non-blocking, so every turn that wrote
    // inline cost one more loop iteration (an epoll_pwait) just for this reset. Unref'd, it still
    // runs at the loop's next check phase (the end of this turn, or of the next one when the write
    // ran in an immediate), ahead of the flush passes scheduled after it.
    setImmediate(reset).unref();
  }
  return true;
}

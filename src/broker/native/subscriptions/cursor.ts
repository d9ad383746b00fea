/**
 * The acknowledgement state of one partition of a subscription: the mark-delete offset (every
 * offset below it is acked) and the acked ranges above it, as sorted, disjoint, non-adjacent
 * half-open ranges. Individual acks leave holes; the mark-delete offset advances over a range as
 * soon as the hole before it closes (Pulsar's ManagedCursor "individualDeletedMessages").
 */
import { NATIVE_LIMITS } from '../../../limits';

export interface CursorState {
  markDelete: string;
  /** [start, end) pairs as decimal strings (JSON has no int64). */
  ackedRanges: Array<[string, string]>;
}

export class PartitionCursor {
  private ranges: Array<[bigint, bigint]> = [];

  constructor(private markDeleteOffset: bigint) {}

  static fromState(state: CursorState): PartitionCursor {
    const cursor = new PartitionCursor(BigInt(state.markDelete));
    for (const [start, end] of state.ackedRanges) cursor.ackRange(BigInt(start), BigInt(end));
    return cursor;
  }

  /** Every offset below this is acknowledged. */
  markDelete(): bigint {
    return this.markDeleteOffset;
  }

  ackedRanges(): ReadonlyArray<readonly [bigint, bigint]> {
    return this.ranges;
  }

  isAcked(offset: bigint): boolean {
    if (offset < this.markDeleteOffset) return true;
    const i = this.firstEndingAfter(offset);
    return i < this.ranges.length && this.ranges[i][0] <= offset;
  }

  /** The first stretch of offsets within from..to (inclusive) not acked, as [first, last], or null when all are. */
  firstUnackedIn(from: bigint, to: bigint): [bigint, bigint] | null {
    if (from < this.markDeleteOffset) from = this.markDeleteOffset;
    let i = this.ranges.length === 0 ? 0 : this.firstEndingAfter(from);
    // Ranges are disjoint and never touch: past the one holding `from`, the next starts later.
    if (i < this.ranges.length && this.ranges[i][0] <= from) from = this.ranges[i++][1];
    if (from > to) return null;
    return [from, i < this.ranges.length && this.ranges[i][0] <= to ? this.ranges[i][0] - 1n : to];
  }

  /** Acks one offset; false when it already was. */
  ack(offset: bigint): boolean {
    if (this.isAcked(offset)) return false;
    this.ackRange(offset, offset + 1n);
    return true;
  }

  /** Acks every offset up to and including `offset` (cumulative ack). */
  ackUpTo(offset: bigint): boolean {
    if (offset < this.markDeleteOffset) return false;
    this.markDeleteOffset = offset + 1n;
    this.absorb();
    return true;
  }

  /** Acked offsets at or above `from` and below `to` (for backlog figures). */
  ackedCountBetween(from: bigint, to: bigint): bigint {
    let count = 0n;
    if (from < this.markDeleteOffset) count += (to < this.markDeleteOffset ? to : this.markDeleteOffset) - from;
    for (const [s, e] of this.ranges) {
      const lo = s > from ? s : from;
      const hi = e < to ? e : to;
      if (hi > lo) count += hi - lo;
    }
    return count;
  }

  /**
   * The persisted form. Past cursorAckedRangesMax ranges only the lowest ones are kept: the rest
   * are redelivered after a restart, which at-least-once allows, instead of growing without bound.
   */
  toState(): CursorState {
    return {
      markDelete: this.markDeleteOffset.toString(),
      ackedRanges: this.ranges.slice(0, NATIVE_LIMITS.cursorAckedRangesMax).map(([s, e]) => [s.toString(), e.toString()]),
    };
  }

  private ackRange(start: bigint, end: bigint): void {
    if (end <= this.markDeleteOffset) return;
    if (start < this.markDeleteOffset) start = this.markDeleteOffset;
    // Merge with every range that overlaps or touches [start, end).
    const i = this.firstEndingAfter(start - 1n);
    let j = i;
    while (j < this.ranges.length && this.ranges[j][0] <= end) {
      if (this.ranges[j][0] < start) start = this.ranges[j][0];
      if (this.ranges[j][1] > end) end = this.ranges[j][1];
      j++;
    }
    this.ranges.splice(i, j - i, [start, end]);
    this.absorb();
  }

  /** Moves the mark-delete offset over ranges that now start at (or below) it. */
  private absorb(): void {
    while (this.ranges.length > 0 && this.ranges[0][0] <= this.markDeleteOffset) {
      if (this.ranges[0][1] > this.markDeleteOffset) this.markDeleteOffset = this.ranges[0][1];
      this.ranges.shift();
    }
  }

  /** Index of the first range whose end is greater than `offset` (binary search). */
  private firstEndingAfter(offset: bigint): number {
    let lo = 0;
    let hi = this.ranges.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.ranges[mid][1] > offset) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}

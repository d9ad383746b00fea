/**
 * The sparse index of one segment: an entry every STORAGE_LIMITS.indexIntervalBytes of frames
 * (and always for the first frame) maps a batch's base offset to its file position, so a read
 * from any offset seeks to the nearest entry below it and scans at most one interval.
 * Each entry also remembers the largest batch timestamp of all frames before it, which turns
 * the same entries into a time index (first batch with maxTimestamp >= t).
 */

export interface IndexEntry {
  /** Base offset of the batch, relative to the segment's base offset. */
  relativeOffset: number;
  position: number;
  /** Largest maxTimestamp of the frames before this one (-Infinity for the first). */
  maxTimestampBeforeMs: number;
}

export class OffsetIndex {
  private readonly relativeOffsets: number[] = [];
  private readonly positions: number[] = [];
  private readonly timestampsBefore: number[] = [];
  private lastIndexedPosition = -Infinity;
  private maxTimestampMs = -Infinity;

  constructor(private readonly intervalBytes: number) {}

  /** Largest maxTimestamp of every frame recorded so far (-Infinity when none). */
  get largestTimestampMs(): number {
    return this.maxTimestampMs;
  }

  /** Every entry in order (to persist a sealed segment's index). */
  entries(): IndexEntry[] {
    return this.positions.map((position, i) => ({ relativeOffset: this.relativeOffsets[i], position, maxTimestampBeforeMs: this.timestampsBefore[i] }));
  }

  /** Rebuilds an index from persisted entries and the segment's largest timestamp. */
  static restore(intervalBytes: number, entries: IndexEntry[], largestTimestampMs: number): OffsetIndex {
    const index = new OffsetIndex(intervalBytes);
    for (const e of entries) {
      index.relativeOffsets.push(e.relativeOffset);
      index.positions.push(e.position);
      index.timestampsBefore.push(e.maxTimestampBeforeMs);
      index.lastIndexedPosition = e.position;
    }
    index.maxTimestampMs = largestTimestampMs;
    return index;
  }

  /** Records the frame at `position`; adds an entry when an interval has passed since the last. */
  onFrame(relativeOffset: number, position: number, maxTimestampMs: number): void {
    if (position - this.lastIndexedPosition >= this.intervalBytes) {
      this.relativeOffsets.push(relativeOffset);
      this.positions.push(position);
      this.timestampsBefore.push(this.maxTimestampMs);
      this.lastIndexedPosition = position;
    }
    if (maxTimestampMs > this.maxTimestampMs) this.maxTimestampMs = maxTimestampMs;
  }

  /** The entry with the largest offset <= relativeOffset; the first entry when none is below. */
  floorByOffset(relativeOffset: number): IndexEntry | null {
    return this.entryAt(lastIndexWhere(this.relativeOffsets.length, (i) => this.relativeOffsets[i] <= relativeOffset));
  }

  /**
   * The last entry such that every frame before it has maxTimestamp < timestampMs: the first
   * batch with maxTimestamp >= timestampMs is at or after it.
   */
  floorByTimestamp(timestampMs: number): IndexEntry | null {
    return this.entryAt(lastIndexWhere(this.timestampsBefore.length, (i) => this.timestampsBefore[i] < timestampMs));
  }

  private entryAt(i: number): IndexEntry | null {
    const at = Math.max(i, 0);
    if (at >= this.positions.length) return null;
    return { relativeOffset: this.relativeOffsets[at], position: this.positions[at], maxTimestampBeforeMs: this.timestampsBefore[at] };
  }
}

/** Largest i in [0, n) with pred(i), for a predicate true on a prefix; -1 when none. */
function lastIndexWhere(n: number, pred: (i: number) => boolean): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (pred(mid)) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/**
 * Which old segments retention deletes. Whole segments only, oldest first, never the active
 * (last) one, and never one holding an offset at or above the retention floor (the object-store
 * tier's "uploaded up to" mark) when a floor is set. Kafka semantics for the two limits:
 * by size, delete while the log stays at or above retentionBytes without the segment; by age,
 * delete a segment whose largest batch timestamp is more than retentionMs old. -1 = unlimited.
 */

export interface RetentionSegment {
  nextOffset: bigint;
  sizeBytes: number;
  /** Largest batch timestamp in the segment (-Infinity when empty). */
  largestTimestampMs: number;
}

export interface RetentionPolicy {
  retentionBytes: number;
  retentionMs: number;
  nowMs: number;
  /** Offsets at or above this must stay local; null = no floor. */
  floorOffset: bigint | null;
}

/** How many of the oldest segments to delete. */
export function segmentsToDelete(segments: readonly RetentionSegment[], policy: RetentionPolicy): number {
  let remainingBytes = segments.reduce((sum, s) => sum + s.sizeBytes, 0);
  let count = 0;
  for (const segment of segments.slice(0, -1)) {
    if (policy.floorOffset !== null && segment.nextOffset > policy.floorOffset) break;
    const tooBig = policy.retentionBytes >= 0 && remainingBytes - segment.sizeBytes >= policy.retentionBytes;
    const tooOld = policy.retentionMs >= 0 && policy.nowMs - segment.largestTimestampMs > policy.retentionMs;
    if (!tooBig && !tooOld) break;
    remainingBytes -= segment.sizeBytes;
    count++;
  }
  return count;
}

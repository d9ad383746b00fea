/**
 * Where a group of frames meets segment rolls: the first run goes into the active segment, each
 * later one into a new segment rolled just before it (by size, `segmentBytes`, or by age,
 * `segmentMs`). A group with one run needs no roll and may be written straight away.
 */
import type { OutgoingFrame } from './segment';

export interface RollLimits {
  segmentBytes: number;
  segmentMs: number;
}

/** The active segment as a roll decision sees it. */
export interface ActiveSegmentSize {
  writtenBytes: number;
  createdAtMs: number;
}

/** Runs of `frames` in order; runs[0] (possibly empty) fills `active`, a roll comes before each later run. */
export function splitAtRolls<F extends OutgoingFrame>(frames: F[], active: ActiveSegmentSize, limits: RollLimits, nowMs: number): F[][] {
  const runs: F[][] = [[]];
  let size = active.writtenBytes;
  let createdAtMs = active.createdAtMs;
  for (const f of frames) {
    const frameBytes = f.header.length + f.batch.length;
    if (size > 0 && (size + frameBytes > limits.segmentBytes || nowMs - createdAtMs >= limits.segmentMs)) {
      runs.push([]);
      size = 0;
      createdAtMs = nowMs;
    }
    runs[runs.length - 1].push(f);
    size += frameBytes;
  }
  return runs;
}

/**
 * Where a group of frames meets segment rolls: the first run goes into the active segment, each
 * later one into a new segment rolled just before it (by size, `segmentBytes`, or by age,
 * `segmentMs`). A group with one run needs no roll and may be written straight away.
 */
import { frameBytesOf, type OutgoingFrame } from './segment';

export interface RollLimits {
  segmentBytes: number;
  segmentMs: number;
}

/** The active segment as a roll decision sees it. */
export interface ActiveSegmentSize {
  writtenBytes: number;
  createdAtMs: number;
}

/** Whether a segment of `size` bytes created at `createdAtMs` rolls before a frame of `frameBytes`. */
function rollsBefore(size: number, createdAtMs: number, frameBytes: number, limits: RollLimits, nowMs: number): boolean {
  return size > 0 && (size + frameBytes > limits.segmentBytes || nowMs - createdAtMs >= limits.segmentMs);
}

/** Runs of `frames` in order; runs[0] (possibly empty) fills `active`, a roll comes before each later run. */
export function splitAtRolls<F extends OutgoingFrame>(frames: F[], active: ActiveSegmentSize, limits: RollLimits, nowMs: number): F[][] {
  const runs: F[][] = [[]];
  let size = active.writtenBytes;
  let createdAtMs = active.createdAtMs;
  for (const f of frames) {
    const frameBytes = frameBytesOf(f);
    if (rollsBefore(size, createdAtMs, frameBytes, limits, nowMs)) {
      runs.push([]);
      size = 0;
      createdAtMs = nowMs;
    }
    runs[runs.length - 1].push(f);
    size += frameBytes;
  }
  return runs;
}

/** Whether writing `frames` into `active` needs a roll (splitAtRolls would give more than one run), without building the runs. */
export function needsRoll(frames: OutgoingFrame[], active: ActiveSegmentSize, limits: RollLimits, nowMs: number): boolean {
  let size = active.writtenBytes;
  for (const f of frames) {
    const frameBytes = frameBytesOf(f);
    if (rollsBefore(size, active.createdAtMs, frameBytes, limits, nowMs)) return true;
    size += frameBytes;
  }
  return false;
}

/**
 * Reads from segment files: whole batches from the one containing an offset (seeking with the
 * sparse index, then scanning at most one index interval), and time lookups. Every frame read
 * from disk is crc-checked; a bad one is a CorruptLogError naming file and position.
 */
import { STORAGE_LIMITS } from '../../limits';
import { CorruptLogError, StorageError } from '../errors';
import type { ReadResult, RecoverableBatchFormat } from '../partition-log';
import { FRAME_HEADER_BYTES } from './frame';
import { FrameVisitor, ScanLimit, scanFrames, ScanOptions } from './frame-scanner';
import type { Segment } from './segment';

/** Index of the segment holding `offset`: the last one with baseOffset <= offset (or 0). */
export function segmentIndexFor(segments: readonly Segment[], offset: bigint): number {
  let lo = 0;
  let hi = segments.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (segments[mid].baseOffset <= offset) lo = mid + 1;
    else hi = mid;
  }
  return Math.max(lo - 1, 0);
}

/**
 * Whole batches from the one containing `offset` up to `maxBytes` (at least one), never at or
 * past `endOffset`. Segments are acquired synchronously, so retention cannot close a file mid-read.
 */
export async function readSegments(segments: readonly Segment[], offset: bigint, maxBytes: number, endOffset: bigint, format: RecoverableBatchFormat): Promise<ReadResult> {
  const first = segmentIndexFor(segments, offset);
  const used = segments.slice(first);
  for (const s of used) s.acquire();
  const result: ReadResult = { chunks: [], bytes: 0, nextOffset: offset };
  const chunkBytes = Math.min(STORAGE_LIMITS.readChunkBytesMax, Math.max(STORAGE_LIMITS.readChunkBytesMin, maxBytes + STORAGE_LIMITS.indexIntervalBytes));
  const limit = new BudgetLimit(result, maxBytes);
  let ended = false;
  const take: FrameVisitor = (frame) => {
    if (frame.baseOffset >= endOffset) {
      ended = true;
      return false;
    }
    const next = frame.baseOffset + BigInt(format.recordCount(frame.batch));
    if (next <= offset) return;
    result.chunks.push(frame.batch);
    result.bytes += frame.batch.length;
    result.nextOffset = next;
  };
  try {
    for (const segment of used) {
      const start = segment === used[0] ? segment.index.floorByOffset(Number(offset - segment.baseOffset))?.position ?? 0 : 0;
      await scanSegment(segment, start, { chunkBytes, limit }, take);
      if (ended || limit.stopped) return result;
    }
    return result;
  } catch (err) {
    // Retention deleted the segment between the start of this read and the opening of its file.
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    if (result.chunks.length > 0) return result;
    throw new StorageError('OFFSET_OUT_OF_RANGE', `offset ${offset} was deleted by retention during the read`, { cause: err });
  } finally {
    for (const s of used) s.release();
  }
}

/**
 * Stops a read at its budget by the next frame's header. Until the first batch is taken every
 * frame is read and checked whole (the first batch is returned even when larger than the budget,
 * and frames before the read's offset are skipped by their record count). After it, reads are
 * sized for the budget left, counting a header per frame at the average batch size so far.
 */
class BudgetLimit implements ScanLimit {
  /** Set once a frame is refused: the read ends there, not in the next segment. */
  stopped = false;

  constructor(private readonly result: ReadResult, private readonly maxBytes: number) {}

  admits(batchBytes: number): boolean {
    const { chunks, bytes } = this.result;
    this.stopped = chunks.length > 0 && bytes + batchBytes > this.maxBytes;
    return !this.stopped;
  }

  readBytesWanted(): number {
    const { chunks, bytes } = this.result;
    if (chunks.length === 0) return Infinity;
    const left = Math.max(0, this.maxBytes - bytes);
    return left + FRAME_HEADER_BYTES * (Math.ceil(left / (bytes / chunks.length)) + 1);
  }
}

/** Base offset of the first batch below `endOffset` with maxTimestamp >= timestampMs, or null. */
export async function findOffsetForTimestamp(segments: readonly Segment[], timestampMs: bigint, endOffset: bigint, format: RecoverableBatchFormat): Promise<bigint | null> {
  const target = Number(timestampMs);
  const used = segments.slice();
  for (const s of used) s.acquire();
  try {
    for (const segment of used) {
      if (segment.index.largestTimestampMs < target) continue;
      const start = segment.index.floorByTimestamp(target)?.position ?? 0;
      let found: bigint | null | undefined;
      await scanSegment(segment, start, { chunkBytes: STORAGE_LIMITS.readChunkBytesMin }, (frame) => {
        if (frame.baseOffset >= endOffset) found = null;
        else if (Number(format.maxTimestampMs(frame.batch)) >= target) found = frame.baseOffset;
        return found === undefined;
      });
      if (found !== undefined) return found;
    }
    return null;
  } finally {
    for (const s of used) s.release();
  }
}

/** Visits the visible frames of a segment from `start`; a bad frame throws CorruptLogError. */
async function scanSegment(segment: Segment, start: number, options: ScanOptions, visit: FrameVisitor): Promise<void> {
  const stop = await scanFrames(await segment.file(), start, segment.visibleBytes, options, visit);
  if (stop) throw new CorruptLogError(segment.path, stop.position, null, stop.reason);
}

/**
 * Opening a partition directory: the last segment, and any sealed segment without a matching
 * index file, is scanned frame by frame (crc, length, offset continuity) to rebuild its index
 * and find the log end; other sealed segments take their index from their index file.
 * - A torn or bad final frame (nothing valid after it, in the last segment) is what a crash in
 *   the middle of a write leaves: it was never acknowledged, so it is truncated and logged.
 * - A bad frame anywhere else would silently drop acknowledged data: the log refuses to open
 *   with a CorruptLogError naming file, offset and position, unless the operator allows
 *   truncation, in which case the log is cut at that frame: `allowMidLogTruncation` in the
 *   log's config, or (one time, without touching any config) a file named
 *   ALLOW_TRUNCATION_FILE in the partition directory, deleted once the log has opened.
 */
import { mkdir, readdir, stat, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Logger } from '../../log';
import { STORAGE_LIMITS } from '../../limits';
import { CorruptLogError } from '../errors';
import type { RecoverableBatchFormat } from '../partition-log';
import { decodeFrame, FRAME_HEADER_BYTES } from './frame';
import { readExactly, scanFrames, ScanStop } from './frame-scanner';
import { readIndexFile } from './index-file';
import { parseSegmentFileName, Segment, SEGMENT_SUFFIX, syncDirectory } from './segment';

/** An operator creates this file in a partition directory to let its next open cut the log at a bad frame. */
export const ALLOW_TRUNCATION_FILE = 'allow-mid-log-truncation';

export interface RecoveryOptions {
  dir: string;
  format: RecoverableBatchFormat;
  indexIntervalBytes: number;
  nowMs: number;
  /** Cut the log at a bad frame in the middle instead of refusing to open. */
  allowMidLogTruncation: boolean;
  /** Base offset of the first segment when the directory holds none. */
  initialOffset: bigint;
  logger: Logger;
}

/** The segments of the log in offset order, the last one open for appends. */
export async function recoverSegments(options: RecoveryOptions): Promise<Segment[]> {
  const created = await mkdir(options.dir, { recursive: true });
  // The new directory's own name must survive a crash too.
  if (created) {
    await syncDirectory(dirname(options.dir));
    if (created !== options.dir) await syncDirectory(dirname(created));
  }
  const names = await readdir(options.dir);
  const bases = names.map(parseSegmentFileName).filter((b): b is bigint => b !== null);
  bases.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  await removeStrayFiles(options.dir, names);
  const marker = join(options.dir, ALLOW_TRUNCATION_FILE);
  const markerPresent = names.includes(ALLOW_TRUNCATION_FILE);
  if (bases.length === 0) {
    if (markerPresent) await unlink(marker);
    return [await Segment.create(options.dir, options.initialOffset, options.indexIntervalBytes, options.nowMs)];
  }
  if (markerPresent) options = { ...options, allowMidLogTruncation: true };
  const segments: Segment[] = [];
  try {
    for (let i = 0; i < bases.length; i++) {
      const segment = Segment.openExisting(options.dir, bases[i], options.indexIntervalBytes, options.nowMs);
      segments.push(segment);
      const previous = segments[i - 1];
      if (previous && previous.nextOffset !== segment.baseOffset) {
        const reason = `segment starts at ${segment.baseOffset} but the previous one ends at ${previous.nextOffset}`;
        if (!options.allowMidLogTruncation) throw new CorruptLogError(segment.path, 0, segment.baseOffset, `${reason}. ${truncationHint(options.dir)}`);
        options.logger.error({ file: segment.path, reason }, 'gap between segments: cutting the log before it, as the operator allowed');
        segments.pop();
        await segment.retire();
        await removeSegments(bases.slice(i), options);
        await previous.dropIndexFile();
        break;
      }
      const isLast = i === bases.length - 1;
      if (!isLast && await restoreFromIndexFile(segment)) continue;
      await segment.dropIndexFile();
      const cut = await scanSegment(segment, isLast, options);
      if (cut) {
        await removeSegments(bases.slice(i + 1), options);
        break;
      }
      if (!isLast) await segment.writeIndex();
    }
    const last = segments[segments.length - 1];
    await last.sync();
    for (const sealed of segments.slice(0, -1)) sealed.seal();
    if (markerPresent) {
      await unlink(marker);
      options.logger.warn({ file: marker }, 'opened with the operator\'s one-time permission to truncate; permission file removed');
    }
    await syncDirectory(options.dir);
    return segments;
  } catch (err) {
    await Promise.all(segments.map((s) => s.retire()));
    throw err;
  }
}

function truncationHint(dir: string): string {
  return `To cut the log here, losing everything from this point on, create the file ${join(dir, ALLOW_TRUNCATION_FILE)} `
    + 'and open the log again (or open it with allowMidLogTruncation)';
}

/** A sealed segment whose index file matches its size needs no scan. */
async function restoreFromIndexFile(segment: Segment): Promise<boolean> {
  const file = await readIndexFile(dirname(segment.path), segment.indexName);
  if (!file || file.nextOffset <= segment.baseOffset || file.segmentBytes !== (await stat(segment.path)).size) return false;
  segment.restore(file);
  return true;
}

/** Index files without their segment, and temporary files of an interrupted index write. */
async function removeStrayFiles(dir: string, names: string[]): Promise<void> {
  const segments = new Set(names.filter((n) => parseSegmentFileName(n) !== null));
  for (const name of names) {
    const orphanIndex = name.endsWith('.index') && !segments.has(name.replace(/\.index$/, SEGMENT_SUFFIX));
    if (orphanIndex || name.endsWith('.index.tmp')) await unlink(join(dir, name));
  }
}

/** Rebuilds the segment's index; returns true when the log was cut inside it. */
async function scanSegment(segment: Segment, isLast: boolean, options: RecoveryOptions): Promise<boolean> {
  const file = await segment.file();
  const size = (await file.stat()).size;
  let expected = segment.baseOffset;
  let bad: ScanStop | null = null;
  const scanned = await scanFrames(file, 0, size, { chunkBytes: STORAGE_LIMITS.scanChunkBytes }, (frame, position) => {
    const problem = frameProblem(frame.baseOffset, frame.batch, expected, options.format);
    if (typeof problem === 'string') {
      bad = { kind: 'bad', position, reason: problem, declaredBytes: frame.frameBytes };
      return false;
    }
    segment.recordFrame(position, { baseOffset: frame.baseOffset, recordCount: problem, maxTimestampMs: Number(options.format.maxTimestampMs(frame.batch)) }, frame.frameBytes);
    expected = segment.nextOffset;
  });
  const stop: ScanStop | null = bad ?? scanned;
  segment.syncedBytes = segment.writtenBytes;
  segment.visibleBytes = segment.writtenBytes;
  if (!stop) return false;
  const isTail = isLast && (stop.kind === 'short' || !(await validFrameFollows(segment, stop, size)));
  if (isTail && await preallocatedSpaceAt(segment, stop)) {
    options.logger.info({ file: segment.path, position: stop.position, offset: String(expected), bytesDropped: size - stop.position },
      'dropping the preallocated space after the last frame');
  } else if (isTail) {
    options.logger.warn({ file: segment.path, position: stop.position, offset: String(expected), reason: stop.reason, bytesDropped: size - stop.position },
      'truncating a torn or bad final frame (never acknowledged)');
  } else if (options.allowMidLogTruncation) {
    options.logger.error({ file: segment.path, position: stop.position, offset: String(expected), reason: stop.reason },
      'bad frame in the middle of the log: truncating here and dropping everything after it, as the operator allowed');
  } else {
    throw new CorruptLogError(segment.path, stop.position, expected,
      `${stop.reason}; valid data follows, so this is not a torn tail. ${truncationHint(options.dir)}`);
  }
  await segment.truncateFile(stop.position);
  return !isLast;
}

/** The batch's record count, or why the frame cannot belong at `expected`. */
function frameProblem(baseOffset: bigint, batch: Buffer, expected: bigint, format: RecoverableBatchFormat): number | string {
  if (baseOffset !== expected) return `frame base offset ${baseOffset} where ${expected} was expected`;
  let recordCount: number;
  try {
    recordCount = format.recordCount(batch);
  } catch (err) {
    return `batch header unreadable: ${(err as Error).message}`;
  }
  return Number.isInteger(recordCount) && recordCount >= 1 ? recordCount : `batch record count ${recordCount} is below 1`;
}

/**
 * A preallocated segment (segment.ts) that was not closed cleanly ends in zeros: the frames stop
 * where a header of zeros starts (a torn frame is dropped either way; this only names it).
 */
async function preallocatedSpaceAt(segment: Segment, stop: ScanStop): Promise<boolean> {
  if (stop.kind !== 'bad' || stop.declaredBytes !== null) return false;
  const header = await readExactly(await segment.file(), stop.position, FRAME_HEADER_BYTES);
  return header.length === FRAME_HEADER_BYTES && header.every((byte) => byte === 0);
}

/** Whether a valid frame starts right after the bad one (then the bad one is not the final frame). */
async function validFrameFollows(segment: Segment, stop: ScanStop, size: number): Promise<boolean> {
  if (stop.kind !== 'bad' || stop.declaredBytes === null) return false;
  const at = stop.position + stop.declaredBytes;
  if (at + FRAME_HEADER_BYTES > size) return false;
  const file = await segment.file();
  const header = await readExactly(file, at, FRAME_HEADER_BYTES);
  const length = header.readUInt32BE(8);
  if (length === 0 || length > STORAGE_LIMITS.batchBytesMax || at + FRAME_HEADER_BYTES + length > size) return false;
  return decodeFrame(await readExactly(file, at, FRAME_HEADER_BYTES + length), 0).kind === 'frame';
}

async function removeSegments(bases: bigint[], options: RecoveryOptions): Promise<void> {
  for (const base of bases) {
    const segment = Segment.openExisting(options.dir, base, options.indexIntervalBytes, options.nowMs);
    options.logger.error({ file: segment.path }, 'deleting a segment after the truncation point');
    await segment.remove();
  }
  if (bases.length > 0) await syncDirectory(options.dir);
}

/** Re-records the frames of `segment` up to `end` (after a truncation); any bad frame throws. */
export async function reindexSegment(segment: Segment, end: number, format: RecoverableBatchFormat): Promise<void> {
  segment.resetIndex();
  const stop = await scanFrames(await segment.file(), 0, end, { chunkBytes: STORAGE_LIMITS.scanChunkBytes }, ({ baseOffset, batch, frameBytes }, position) => {
    const problem = frameProblem(baseOffset, batch, segment.nextOffset, format);
    if (typeof problem === 'string') throw new CorruptLogError(segment.path, position, baseOffset, problem);
    segment.recordFrame(position, { baseOffset, recordCount: problem, maxTimestampMs: Number(format.maxTimestampMs(batch)) }, frameBytes);
  });
  if (stop) throw new CorruptLogError(segment.path, stop.position, null, stop.reason);
}

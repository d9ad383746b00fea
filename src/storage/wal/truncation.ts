/**
 * Cutting a log at a batch boundary: the segment holding the offset is shortened to the frame
 * starting there (its index rebuilt), every later segment deleted, and that made durable.
 */
import { StorageError } from '../errors';
import type { RecoverableBatchFormat } from '../partition-log';
import { STORAGE_LIMITS } from '../../limits';
import { scanFrames } from './frame-scanner';
import { reindexSegment } from './recovery';
import { Segment, syncDirectory } from './segment';
import { segmentIndexFor } from './segment-reader';

/** The segments left after dropping every batch at or after `offset`; the last one is active. */
export async function truncateSegments(segments: Segment[], offset: bigint, format: RecoverableBatchFormat, dir: string): Promise<Segment[]> {
  const i = segmentIndexFor(segments, offset);
  const segment = segments[i];
  segment.unseal();
  const position = await framePosition(segment, offset);
  await segment.dropIndexFile();
  await segment.truncateFile(position);
  await reindexSegment(segment, position, format);
  segment.visibleBytes = position;
  const dropped = segments.slice(i + 1);
  for (const s of dropped) await s.remove();
  await syncDirectory(dir);
  return segments.slice(0, i + 1);
}

/** Position of the frame whose batch starts at `offset`; throws when no batch starts there. */
async function framePosition(segment: Segment, offset: bigint): Promise<number> {
  if (offset === segment.baseOffset) return 0;
  const start = segment.index.floorByOffset(Number(offset - segment.baseOffset))?.position ?? 0;
  let found: number | undefined;
  await scanFrames(await segment.file(), start, segment.writtenBytes, { chunkBytes: STORAGE_LIMITS.readChunkBytesMin }, (frame, position) => {
    if (frame.baseOffset === offset) found = position;
    return frame.baseOffset < offset;
  });
  if (found !== undefined) return found;
  if (offset === segment.nextOffset) return segment.writtenBytes;
  throw new StorageError('INVALID_ARGUMENT', `offset ${offset} is not a batch boundary of ${segment.path}`);
}

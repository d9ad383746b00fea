/**
 * Tier hook: whole WAL frames of one segment copied as they are on disk
 * (`[u64 baseOffset][u32 length][u32 crc32][batch]`) into a buffer the caller owns, with one
 * pread at the position the sparse index gives. The object-store tier stores these same frames
 * back to back, so the uploader reads straight into the object it is building: no buffer per
 * read (page faults, external-memory GCs), no batch copy and no second frame CRC on the event
 * loop. Every frame's CRC is checked where it landed, as readSegments checks what it reads.
 *
 * Into a target made by framesReadElsewhereInto, the pread and the frame checks are done by the
 * reader it names instead (the tier's worker thread at a lower CPU priority, with the segment's
 * file kept open here meanwhile); the event loop then only takes each checked frame's offsets.
 */
import type { FileHandle } from 'node:fs/promises';
import { CorruptLogError, StorageError } from '../errors';
import type { RecoverableBatchFormat } from '../partition-log';
import { decodeFrame, FRAME_HEADER_BYTES, FrameDecodeResult } from './frame';
import { readExactly, readInto } from './frame-scanner';
import type { Segment } from './segment';
import { segmentIndexFor } from './segment-reader';

/** One frame readRawFrames copied: where it starts in the target and what it holds. */
export interface RawFrame {
  position: number;
  frameBytes: number;
  baseOffset: bigint;
  nextOffset: bigint;
  maxTimestampMs: bigint;
}

export interface RawFrameRead {
  /** The frames copied, consecutive from the target position (none when the first frame needs more room). */
  frames: RawFrame[];
  /** Their bytes, headers included. */
  bytes: number;
  /** Offset after the last frame copied (the requested offset when none was). */
  nextOffset: bigint;
  /** Set when no frame was copied because the first one is larger than maxBytes: its size. */
  frameBytesNeeded?: number;
}

/** One read for a FramesReadElsewhere: `length` bytes of file `fd` from `filePos` into `memory` at `memoryPos`. */
export interface FramesReadRequest {
  fd: number;
  filePos: number;
  length: number;
  memory: SharedArrayBuffer;
  memoryPos: number;
}

/**
 * What it read and checked: the sizes of the whole frames from the read's start, each with its
 * length in bounds and its CRC right, then why it stopped before `bytesRead` (null: it did not),
 * both as decodeFrame would have said it at that position (`at` counts from the read's start).
 */
export interface FramesReadReply {
  bytesRead: number;
  frameBytes: readonly number[];
  stop: { kind: 'bad'; at: number; reason: string } | { kind: 'need-more'; at: number; bytesNeeded: number } | null;
}

/** Reads and checks frames away from the event loop (see framesReadElsewhereInto). */
export interface FramesReadElsewhere {
  read(request: FramesReadRequest): Promise<FramesReadReply>;
}

const READ_ELSEWHERE = Symbol('frames read and checked by another thread');
type ElsewhereTarget = Buffer & { [READ_ELSEWHERE]?: FramesReadElsewhere };

/**
 * A view of `target` (whose memory must be a SharedArrayBuffer) into which readRawFrames has
 * `reader` read and check the frames; it keeps the segment's file open until the reader is done.
 */
export function framesReadElsewhereInto(target: Buffer, reader: FramesReadElsewhere): Buffer {
  if (!(target.buffer instanceof SharedArrayBuffer)) throw new TypeError('frames read elsewhere need a target in a SharedArrayBuffer');
  const view: ElsewhereTarget = Buffer.from(target.buffer, target.byteOffset, target.length);
  view[READ_ELSEWHERE] = reader;
  return view;
}

/** Bytes read past an index entry to find the frame holding an offset: the index spacing plus one batch header. */
const SEEK_SCAN_EXTRA_BYTES = FRAME_HEADER_BYTES + 256;

/**
 * Copies whole frames of the segment holding `offset` (starting with the frame that holds it)
 * into `target` at `targetPos`, at most `maxBytes` of them (target must have that much room),
 * none at or past `endOffset`. Stops at the end of that segment: call again from nextOffset.
 */
export async function readRawFrames(
  segments: readonly Segment[], offset: bigint, endOffset: bigint, format: RecoverableBatchFormat,
  indexIntervalBytes: number, target: Buffer, targetPos: number, maxBytes: number,
): Promise<RawFrameRead> {
  const segment = segments[segmentIndexFor(segments, offset)];
  segment.acquire();
  try {
    const visible = segment.visibleBytes;
    const handle = await segment.file();
    const start = await frameHolding(segment, handle, offset, format, visible, indexIntervalBytes);
    const empty: RawFrameRead = { frames: [], bytes: 0, nextOffset: offset };
    if (start >= visible) return empty;
    const length = Math.min(maxBytes, visible - start);
    const elsewhere = (target as ElsewhereTarget)[READ_ELSEWHERE];
    let bytesRead: number;
    let decode = decodeFrame;
    if (elsewhere) {
      const reply = await elsewhere.read({ fd: handle.fd, filePos: start, length, memory: target.buffer as SharedArrayBuffer, memoryPos: target.byteOffset + targetPos });
      bytesRead = reply.bytesRead;
      decode = checkedElsewhere(reply);
    } else {
      bytesRead = await readInto(handle, target, targetPos, length, start);
    }
    const found = framesIn(target.subarray(targetPos, targetPos + bytesRead), targetPos, start, segment, endOffset, format, visible, decode);
    if (found === null) return empty;
    // A file cut short under the read (a truncation) is not a frame too large for the room given.
    if (found.frameBytesNeeded !== undefined) return bytesRead === length ? { ...empty, frameBytesNeeded: found.frameBytesNeeded } : empty;
    return found;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    // Retention deleted the segment between the start of this read and the opening of its file.
    throw new StorageError('OFFSET_OUT_OF_RANGE', `offset ${offset} was deleted by retention during the read`, { cause: err });
  } finally {
    segment.release();
  }
}

/** Position of the first frame whose records reach past `offset`: the index entry, then a scan of at most one interval. */
async function frameHolding(
  segment: Segment, handle: FileHandle, offset: bigint, format: RecoverableBatchFormat,
  visible: number, indexIntervalBytes: number,
): Promise<number> {
  const relative = Number(offset - segment.baseOffset);
  const entry = segment.index.floorByOffset(relative);
  let pos = entry?.position ?? 0;
  if (entry && entry.relativeOffset === relative) return pos;
  // Frames starting an interval or more past an entry get an entry of their own, so the one
  // holding `offset` starts within this window (or is the first one past it).
  const windowStart = pos;
  const window = await readExactly(handle, pos, Math.min(visible - pos, indexIntervalBytes + SEEK_SCAN_EXTRA_BYTES));
  while (pos < visible && pos - windowStart < indexIntervalBytes) {
    const at = pos - windowStart;
    if (window.length - at < FRAME_HEADER_BYTES) break;
    const baseOffset = window.readBigUInt64BE(at);
    if (baseOffset >= offset) return pos;
    const frameBytes = FRAME_HEADER_BYTES + window.readUInt32BE(at + 8);
    const batchHead = window.subarray(at + FRAME_HEADER_BYTES, Math.min(window.length, at + frameBytes));
    if (baseOffset + BigInt(format.recordCount(batchHead)) > offset) return pos;
    pos += frameBytes;
  }
  return pos;
}

/**
 * decodeFrame's answers for frames another thread already checked: each checked frame in turn
 * (its header read for the offset, nothing computed), then the answer it stopped at. framesIn
 * asks for consecutive positions from 0, as it asks decodeFrame.
 */
function checkedElsewhere(reply: FramesReadReply): (buf: Buffer, pos: number) => FrameDecodeResult {
  let next = 0;
  let expected = 0;
  return (buf, pos) => {
    if (pos !== expected) throw new RangeError(`frames checked elsewhere are taken in order: asked for ${pos}, next is ${expected}`);
    if (next < reply.frameBytes.length) {
      const frameBytes = reply.frameBytes[next++];
      expected += frameBytes;
      return { kind: 'frame', baseOffset: buf.readBigUInt64BE(pos), batch: buf.subarray(pos + FRAME_HEADER_BYTES, pos + frameBytes), frameBytes };
    }
    const stop = reply.stop;
    if (stop === null || stop.at !== pos) throw new RangeError(`the reader checked frames up to ${pos} of ${buf.length} bytes and gave no reason to stop there`);
    return stop.kind === 'bad' ? { kind: 'bad', reason: stop.reason, declaredBytes: null } : { kind: 'need-more', bytesNeeded: stop.bytesNeeded };
  };
}

/** The whole frames in `bytes` (read from file position `filePos`), each decoded (and checked) by `decode`; null when none fit. */
function framesIn(
  bytes: Buffer, targetPos: number, filePos: number, segment: Segment, endOffset: bigint, format: RecoverableBatchFormat, visible: number,
  decode: (buf: Buffer, pos: number) => FrameDecodeResult,
): RawFrameRead | null {
  const frames: RawFrame[] = [];
  let pos = 0;
  let nextOffset = 0n;
  while (pos < bytes.length) {
    const frame = decode(bytes, pos);
    if (frame.kind === 'bad') throw new CorruptLogError(segment.path, filePos + pos, null, frame.reason);
    if (frame.kind === 'need-more') {
      if (filePos + pos + frame.bytesNeeded > visible) {
        throw new CorruptLogError(segment.path, filePos + pos, null, `frame of ${frame.bytesNeeded} bytes runs past the visible end ${visible}`);
      }
      if (frames.length === 0) return { frames, bytes: 0, nextOffset, frameBytesNeeded: frame.bytesNeeded };
      break;
    }
    const { baseOffset, batch, frameBytes } = frame;
    if (baseOffset >= endOffset) break;
    nextOffset = baseOffset + BigInt(format.recordCount(batch));
    frames.push({ position: targetPos + pos, frameBytes, baseOffset, nextOffset, maxTimestampMs: format.maxTimestampMs(batch) });
    pos += frameBytes;
  }
  if (frames.length === 0) return null;
  return { frames, bytes: pos, nextOffset };
}

/**
 * The bytes of one tier object: one upload cycle of one broker, every partition with new data.
 *
 *   [8  header  "TRBOBJ01"]
 *   [data: per partition range, WAL frames back to back ([u64 base][u32 len][u32 crc][batch])]
 *   [footer: JSON ObjectIndex]
 *   [16 trailer: u32 footerBytes, u32 footerCrc32c, "TRBOEND1"]
 *
 * Frames keep the WAL's CRC, so every batch is checked again when it comes back. Each range
 * is cut into frame-aligned blocks of about TIER_LIMITS.blockBytes: a read fetches whole blocks.
 */
import { crc32c } from '@node-rs/crc32';
import { TIER_LIMITS } from '../../limits';
import { decodeFrame, encodeFrameHeader, FRAME_HEADER_BYTES } from '../wal/frame';
import { BlockEntry, indexFromJson, indexToJson, ObjectIndex, ObjectRange } from './object-index';
import { TierCorruptError } from './tier-errors';

const HEADER = Buffer.from('TRBOBJ01');
const TRAILER_MAGIC = Buffer.from('TRBOEND1');
export const OBJECT_HEADER_BYTES = HEADER.length;
export const OBJECT_TRAILER_BYTES = 16;

export interface TierBatch {
  baseOffset: bigint;
  nextOffset: bigint;
  maxTimestampMs: bigint;
  batch: Buffer;
}

export interface PartitionUpload {
  topic: string;
  partition: number;
  leaderEpoch: number;
  /** Consecutive batches: each nextOffset is the following baseOffset. */
  batches: TierBatch[];
}

export interface EncodedObject {
  body: Buffer;
  index: ObjectIndex;
}

export function encodeObject(parts: PartitionUpload[], blockBytes: number = TIER_LIMITS.blockBytes): EncodedObject {
  const pieces: Buffer[] = [HEADER];
  let position = HEADER.length;
  let framesCrc = 0;
  const ranges: ObjectRange[] = [];
  for (const part of parts) {
    if (part.batches.length === 0) continue;
    const rangeStart = position;
    const blocks: BlockEntry[] = [];
    let block: BlockEntry | null = null;
    for (const b of part.batches) {
      if (block && b.baseOffset !== block.endOffset) {
        throw new RangeError(`${part.topic}/${part.partition}: batch at ${b.baseOffset} does not follow ${block.endOffset}`);
      }
      const header = encodeFrameHeader(b.baseOffset, b.batch);
      framesCrc = crc32c(header, framesCrc);
      if (!block || block.bytes >= blockBytes) {
        block = { baseOffset: b.baseOffset, endOffset: b.baseOffset, position, bytes: 0, maxTimestampMs: b.maxTimestampMs };
        blocks.push(block);
      }
      pieces.push(header, b.batch);
      const frameBytes = header.length + b.batch.length;
      position += frameBytes;
      block.bytes += frameBytes;
      block.endOffset = b.nextOffset;
      if (b.maxTimestampMs > block.maxTimestampMs) block.maxTimestampMs = b.maxTimestampMs;
    }
    ranges.push({
      topic: part.topic, partition: part.partition, leaderEpoch: part.leaderEpoch,
      baseOffset: blocks[0].baseOffset, endOffset: blocks[blocks.length - 1].endOffset,
      maxTimestampMs: blocks.reduce((m, x) => (x.maxTimestampMs > m ? x.maxTimestampMs : m), blocks[0].maxTimestampMs),
      position: rangeStart, bytes: position - rangeStart, blocks,
    });
  }
  const index: ObjectIndex = { framesCrc32c: framesCrc >>> 0, ranges };
  const footer = Buffer.from(JSON.stringify(indexToJson(index)));
  const trailer = Buffer.alloc(OBJECT_TRAILER_BYTES);
  trailer.writeUInt32BE(footer.length, 0);
  trailer.writeUInt32BE(crc32c(footer) >>> 0, 4);
  TRAILER_MAGIC.copy(trailer, 8);
  // One copy of the data: the batches go straight from the WAL's buffers into the object.
  pieces.push(footer, trailer);
  return { body: Buffer.concat(pieces, position + footer.length + trailer.length), index };
}

/** Bytes to read from the end of an object to find its footer: read the trailer first. */
export function footerLength(trailer: Buffer, where: string): number {
  if (trailer.length !== OBJECT_TRAILER_BYTES || !trailer.subarray(8).equals(TRAILER_MAGIC)) {
    throw new TierCorruptError(where, 'missing object trailer (a half-written or foreign object)');
  }
  return trailer.readUInt32BE(0);
}

/** The index from an object's footer plus trailer (the last footerLength + 16 bytes). */
export function decodeFooter(tail: Buffer, where: string): ObjectIndex {
  const trailer = tail.subarray(tail.length - OBJECT_TRAILER_BYTES);
  const bytes = footerLength(trailer, where);
  if (bytes + OBJECT_TRAILER_BYTES !== tail.length) throw new TierCorruptError(where, `footer length ${bytes} does not match the tail read`);
  const footer = tail.subarray(0, bytes);
  if ((crc32c(footer) >>> 0) !== trailer.readUInt32BE(4)) throw new TierCorruptError(where, 'footer checksum mismatch');
  try {
    return indexFromJson(JSON.parse(footer.toString('utf8')), where);
  } catch (error) {
    if (error instanceof TierCorruptError) throw error;
    throw new TierCorruptError(where, `unreadable footer: ${(error as Error).message}`);
  }
}

/** Checks a whole object against its own footer: every frame's CRC and the CRC over the frame headers. */
export function verifyObject(body: Buffer, where: string): ObjectIndex {
  if (body.length < OBJECT_HEADER_BYTES + OBJECT_TRAILER_BYTES || !body.subarray(0, HEADER.length).equals(HEADER)) {
    throw new TierCorruptError(where, 'missing object header');
  }
  const bytes = footerLength(body.subarray(body.length - OBJECT_TRAILER_BYTES), where);
  const index = decodeFooter(body.subarray(body.length - OBJECT_TRAILER_BYTES - bytes), where);
  let framesCrc = 0;
  for (const range of index.ranges) {
    for (const block of range.blocks) {
      const frames = body.subarray(block.position, block.position + block.bytes);
      let pos = 0;
      for (const batch of decodeBlock(frames, block, where)) {
        framesCrc = crc32c(frames.subarray(pos, pos + FRAME_HEADER_BYTES), framesCrc);
        pos += FRAME_HEADER_BYTES + batch.batch.length;
      }
    }
  }
  if ((framesCrc >>> 0) !== index.framesCrc32c) throw new TierCorruptError(where, 'frame headers checksum mismatch');
  return index;
}

/** The batches of one block, each frame's CRC checked, with their offsets. */
export type StoredBatch = Omit<TierBatch, 'maxTimestampMs'>;

export function decodeBlock(bytes: Buffer, block: BlockEntry, where: string): StoredBatch[] {
  if (bytes.length !== block.bytes) throw new TierCorruptError(where, `block at ${block.position} is ${bytes.length} bytes, expected ${block.bytes}`);
  const out: StoredBatch[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    const frame = decodeFrame(bytes, pos);
    if (frame.kind !== 'frame') {
      const reason = frame.kind === 'bad' ? frame.reason : 'frame cut short';
      throw new TierCorruptError(where, `block at ${block.position}, frame at +${pos}: ${reason}`);
    }
    if (out.length > 0) out[out.length - 1].nextOffset = frame.baseOffset;
    out.push({ baseOffset: frame.baseOffset, nextOffset: block.endOffset, batch: frame.batch });
    pos += frame.frameBytes;
  }
  if (out.length === 0 || out[0].baseOffset !== block.baseOffset) throw new TierCorruptError(where, `block at ${block.position} does not start at offset ${block.baseOffset}`);
  return out;
}

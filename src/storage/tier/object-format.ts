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
import { decodeFrame, FRAME_HEADER_BYTES } from '../wal/frame';
import { EncodedObject, ObjectBuilder, OBJECT_HEADER, OBJECT_HEADER_BYTES, OBJECT_TRAILER_BYTES, OBJECT_TRAILER_MAGIC } from './object-builder';
import { BlockEntry, indexFromJson, ObjectIndex } from './object-index';
import { TierCorruptError } from './tier-errors';

export type { EncodedObject } from './object-builder';
export { OBJECT_HEADER_BYTES, OBJECT_TRAILER_BYTES } from './object-builder';

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

/** The whole object for `parts` in a buffer of its own (tests, tools); the uploader builds in place with ObjectBuilder. */
export function encodeObject(parts: PartitionUpload[], blockBytes: number = TIER_LIMITS.blockBytes): EncodedObject {
  const dataBytes = parts.reduce((sum, part) => part.batches.reduce((n, b) => n + FRAME_HEADER_BYTES + b.batch.length, sum), 0);
  const builder = new ObjectBuilder(blockBytes, dataBytes);
  builder.begin();
  for (const part of parts) {
    builder.startRange(part.topic, part.partition, part.leaderEpoch);
    for (const b of part.batches) builder.add(b);
    builder.endRange();
  }
  const { body, index } = builder.finish();
  return { body: Buffer.from(body), index };
}

/** Bytes to read from the end of an object to find its footer: read the trailer first. */
export function footerLength(trailer: Buffer, where: string): number {
  if (trailer.length !== OBJECT_TRAILER_BYTES || !trailer.subarray(8).equals(OBJECT_TRAILER_MAGIC)) {
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
  if (body.length < OBJECT_HEADER_BYTES + OBJECT_TRAILER_BYTES || !body.subarray(0, OBJECT_HEADER_BYTES).equals(OBJECT_HEADER)) {
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

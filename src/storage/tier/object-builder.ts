/**
 * Builds one tier object (layout in object-format.ts) in a buffer kept from one object to the
 * next. The uploader copies each batch in as it reads it, so the work is spread over the reads
 * instead of one 64 MiB concatenation blocking the event loop, and the buffer's memory is faulted
 * in once rather than per object (on the 2-core VM a fresh 64 MiB costs ~75 ms of page faults, a
 * reused one ~6 ms to fill; measured with process.cpuUsage()).
 *
 * The buffer is allocated at the whole budget at once (plus footer room): the kernel backs only
 * the pages an object touches, so memory still follows the largest object built, and nothing is
 * copied as it fills (doubling from 64 KiB copied ~64 MiB and faulted ~128 MiB of fresh pages on
 * the event loop: 250 ms of the first 64 MiB cycle's main thread, then 36-47 ms per cycle).
 *
 * The body finish() returns is a view of that buffer: valid until the next begin().
 *
 * The buffer's memory is a SharedArrayBuffer, so the upload read worker (upload-read-worker.ts)
 * can pread WAL frames straight into it and check them there, off the event loop.
 */
import { crc32c } from '@node-rs/crc32';
import { TIER_LIMITS } from '../../limits';
import { frameCrc, FRAME_HEADER_BYTES } from '../wal/frame';
import { BlockEntry, indexToJson, ObjectIndex, ObjectRange } from './object-index';
import type { TierBatch } from './object-format';

export const OBJECT_HEADER = Buffer.from('TRBOBJ01');
export const OBJECT_TRAILER_MAGIC = Buffer.from('TRBOEND1');
export const OBJECT_HEADER_BYTES = OBJECT_HEADER.length;
export const OBJECT_TRAILER_BYTES = 16;
/** Room kept past the data budget: the footer and trailer fit without growing the buffer again. */
const FOOTER_ROOM_BYTES = 1024 * 1024;

export interface EncodedObject {
  body: Buffer;
  index: ObjectIndex;
}

/** A frame written at `position` of the builder's buffer (the shape of the WAL's RawFrame). */
export interface FrameAt {
  position: number;
  frameBytes: number;
  baseOffset: bigint;
  nextOffset: bigint;
  maxTimestampMs: bigint;
}

interface OpenRange {
  topic: string;
  partition: number;
  leaderEpoch: number;
  position: number;
  blocks: BlockEntry[];
}

export class ObjectBuilder {
  private buffer = Buffer.from(new SharedArrayBuffer(0));
  private position = 0;
  private framesCrc = 0;
  private ranges: ObjectRange[] = [];
  private open: OpenRange | null = null;
  /** addFrames gathers the frame headers here for one CRC-32C call. */
  private headers = Buffer.alloc(0);

  /** `dataBytesMax`: the uploader's object budget; the buffer takes it plus footer room at once, then grows only as needed (a batch past the budget). */
  constructor(private readonly blockBytes: number = TIER_LIMITS.blockBytes, private readonly dataBytesMax: number = TIER_LIMITS.objectBytesMax) {}

  /** Starts a new object; the previous body is overwritten from here on. */
  begin(): void {
    this.position = 0;
    this.framesCrc = 0;
    this.ranges = [];
    this.open = null;
    this.append(OBJECT_HEADER);
  }

  /** Bytes of the object so far. */
  get bytes(): number {
    return this.position;
  }

  /** Opens the range of one partition; batches follow with add(), then endRange(). */
  startRange(topic: string, partition: number, leaderEpoch: number): void {
    if (this.open) throw new Error(`range of ${this.open.topic}/${this.open.partition} is still open`);
    this.open = { topic, partition, leaderEpoch, position: this.position, blocks: [] };
  }

  /** Appends one batch as a WAL frame; batches of a range must be consecutive. */
  add(b: TierBatch): void {
    const frameBytes = FRAME_HEADER_BYTES + b.batch.length;
    this.reserve(frameBytes);
    const header = this.buffer.subarray(this.position, this.position + FRAME_HEADER_BYTES);
    header.writeBigUInt64BE(b.baseOffset, 0);
    header.writeUInt32BE(b.batch.length, 8);
    header.writeUInt32BE(frameCrc(header, b.batch), 12);
    b.batch.copy(this.buffer, this.position + FRAME_HEADER_BYTES);
    this.framesCrc = crc32c(header, this.framesCrc);
    this.take(b.baseOffset, b.nextOffset, b.maxTimestampMs, frameBytes);
  }

  /**
   * Room for `bytes` more at the end of the object: a reader copies whole WAL frames into
   * `buffer` at `position` (see RawFrameRead), then hands them to addFrames. The buffer stays
   * the same until addFrames or another reserve.
   */
  reserveFrames(bytes: number): { buffer: Buffer; position: number } {
    if (!this.open) throw new Error('reserveFrames() outside a range');
    this.reserve(bytes);
    return { buffer: this.buffer, position: this.position };
  }

  /**
   * Takes frames already written (by a raw WAL read, CRCs checked) at the end of the object into
   * the open range: they are stored as they are, exactly the bytes add() would have written.
   */
  addFrames(frames: readonly FrameAt[]): void {
    const headersBytes = frames.length * FRAME_HEADER_BYTES;
    if (this.headers.length < headersBytes) this.headers = Buffer.allocUnsafe(Math.max(headersBytes, 2 * this.headers.length));
    for (const [i, f] of frames.entries()) {
      if (f.position !== this.position) throw new RangeError(`frame at ${f.position} does not follow the object end ${this.position}`);
      if (f.position + f.frameBytes > this.buffer.length) throw new RangeError(`frame at ${f.position} runs past the reserved room`);
      this.headers.set(this.buffer.subarray(f.position, f.position + FRAME_HEADER_BYTES), i * FRAME_HEADER_BYTES);
      this.take(f.baseOffset, f.nextOffset, f.maxTimestampMs, f.frameBytes);
    }
    // One CRC-32C call for all the headers: a CRC continued over consecutive pieces equals the
    // CRC of their concatenation, and a native call per 16-byte header cost more than the CRC.
    this.framesCrc = crc32c(this.headers.subarray(0, headersBytes), this.framesCrc);
  }

  /** Counts the frame just written at the object end into the open range's blocks (the caller adds its header to the headers' CRC). */
  private take(baseOffset: bigint, nextOffset: bigint, maxTimestampMs: bigint, frameBytes: number): void {
    const range = this.open;
    if (!range) throw new Error('add() outside a range');
    let block = range.blocks[range.blocks.length - 1] as BlockEntry | undefined;
    if (block && baseOffset !== block.endOffset) {
      throw new RangeError(`${range.topic}/${range.partition}: batch at ${baseOffset} does not follow ${block.endOffset}`);
    }
    if (!block || block.bytes >= this.blockBytes) {
      block = { baseOffset, endOffset: baseOffset, position: this.position, bytes: 0, maxTimestampMs };
      range.blocks.push(block);
    }
    this.position += frameBytes;
    block.bytes += frameBytes;
    block.endOffset = nextOffset;
    if (maxTimestampMs > block.maxTimestampMs) block.maxTimestampMs = maxTimestampMs;
  }

  /** Closes the open range; false when it got no batch (it leaves no trace in the object). */
  endRange(): boolean {
    const range = this.open;
    this.open = null;
    if (!range || range.blocks.length === 0) return false;
    const { blocks } = range;
    this.ranges.push({
      topic: range.topic, partition: range.partition, leaderEpoch: range.leaderEpoch,
      baseOffset: blocks[0].baseOffset, endOffset: blocks[blocks.length - 1].endOffset,
      maxTimestampMs: blocks.reduce((m, x) => (x.maxTimestampMs > m ? x.maxTimestampMs : m), blocks[0].maxTimestampMs),
      position: range.position, bytes: this.position - range.position, blocks,
    });
    return true;
  }

  get rangeCount(): number {
    return this.ranges.length;
  }

  /** Writes the footer and trailer; the body is a view valid until the next begin(). */
  finish(): EncodedObject {
    if (this.open) this.endRange();
    const index: ObjectIndex = { framesCrc32c: this.framesCrc >>> 0, ranges: this.ranges };
    const footer = Buffer.from(JSON.stringify(indexToJson(index)));
    this.append(footer);
    const trailer = Buffer.alloc(OBJECT_TRAILER_BYTES);
    trailer.writeUInt32BE(footer.length, 0);
    trailer.writeUInt32BE(crc32c(footer) >>> 0, 4);
    OBJECT_TRAILER_MAGIC.copy(trailer, 8);
    this.append(trailer);
    return { body: this.buffer.subarray(0, this.position), index };
  }

  private append(bytes: Buffer): void {
    this.reserve(bytes.length);
    bytes.copy(this.buffer, this.position);
    this.position += bytes.length;
  }

  /** Grows the buffer so `bytes` more fit; it keeps its largest size for the next objects. */
  private reserve(bytes: number): void {
    const needed = this.position + bytes;
    if (needed <= this.buffer.length) return;
    const grown = Buffer.from(new SharedArrayBuffer(Math.max(needed, this.dataBytesMax + FOOTER_ROOM_BYTES)));
    this.buffer.copy(grown, 0, 0, this.position);
    this.buffer = grown;
  }
}

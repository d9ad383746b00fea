/**
 * Writes Kafka wire types: one method per type, int64 as bigint. Output is a list of chunks:
 * small fields go into a growing scratch buffer, and when it is full the written part becomes a
 * chunk and a buffer twice the size takes over (no copy on growth). Large byte fields (record
 * batches) are referenced, not copied, so a Fetch response of many megabytes costs no memcpy.
 * The first 4 bytes are reserved so that toFrame() can prepend the size without a copy.
 */
import { EncodeError } from './decode-error';

const FRAME_PREFIX_BYTES = 4;
const INITIAL_BYTES = 512;
/** Byte fields at least this long are kept by reference instead of copied. */
const REFERENCE_BYTES_MIN = 1024;
const UUID_HEX = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

/**
 * One DataView per underlying ArrayBuffer, the last one kept: small writers' buffers are slices
 * of Node's shared 8 KiB pool, so most responses reuse the view instead of making one each.
 */
let lastView: DataView | null = null;

function viewOf(buffer: ArrayBufferLike): DataView {
  if (lastView === null || lastView.buffer !== buffer) lastView = new DataView(buffer);
  return lastView;
}

function recordsLength(value: Buffer | readonly Buffer[]): number {
  if (Buffer.isBuffer(value)) return value.length;
  let n = 0;
  for (const chunk of value) n += chunk.length;
  return n;
}

export class Writer {
  private readonly chunks: Buffer[] = [];
  private buf: Buffer;
  private pos = FRAME_PREFIX_BYTES;
  private chunkStart = 0;
  private total = 0;

  constructor(initialBytes = INITIAL_BYTES) {
    this.buf = Buffer.allocUnsafe(Math.max(initialBytes, 16));
  }

  /** Bytes written so far (the reserved frame prefix excluded). */
  get length(): number {
    return this.total + this.pos - this.chunkStart - FRAME_PREFIX_BYTES;
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    this.seal();
    this.buf = Buffer.allocUnsafe(Math.max(n, this.buf.length * 2));
    this.pos = 0;
    this.chunkStart = 0;
  }

  /** Moves the written part of the scratch buffer into the chunk list. */
  private seal(): void {
    if (this.pos > this.chunkStart) {
      this.chunks.push(this.buf.subarray(this.chunkStart, this.pos));
      this.total += this.pos - this.chunkStart;
    }
    this.chunkStart = this.pos;
  }

  writeInt8(value: number): this {
    this.ensure(1);
    this.pos = this.buf.writeInt8(value, this.pos);
    return this;
  }

  writeBoolean(value: boolean): this {
    return this.writeInt8(value ? 1 : 0);
  }

  writeInt16(value: number): this {
    this.ensure(2);
    this.pos = this.buf.writeInt16BE(value, this.pos);
    return this;
  }

  writeUInt16(value: number): this {
    this.ensure(2);
    this.pos = this.buf.writeUInt16BE(value, this.pos);
    return this;
  }

  writeInt32(value: number): this {
    this.ensure(4);
    this.pos = this.buf.writeInt32BE(value, this.pos);
    return this;
  }

  writeUInt32(value: number): this {
    this.ensure(4);
    this.pos = this.buf.writeUInt32BE(value, this.pos);
    return this;
  }

  writeInt64(value: bigint): this {
    this.ensure(8);
    // DataView's setBigInt64 is inlined by V8; Buffer's writeBigInt64BE shifts bigints (about 7x slower).
    viewOf(this.buf.buffer).setBigInt64(this.buf.byteOffset + this.pos, value);
    this.pos += 8;
    return this;
  }

  writeFloat64(value: number): this {
    this.ensure(8);
    this.pos = this.buf.writeDoubleBE(value, this.pos);
    return this;
  }

  /** Accepts the 8-4-4-4-12 hex form (dashes optional). */
  writeUuid(value: string): this {
    if (!UUID_HEX.test(value)) throw new EncodeError(`not a UUID: ${value}`);
    this.ensure(16);
    this.pos += this.buf.write(value.replace(/-/g, ''), this.pos, 16, 'hex');
    return this;
  }

  writeUnsignedVarInt(value: number): this {
    if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
      throw new EncodeError(`unsigned varint out of range: ${value}`);
    }
    this.ensure(5);
    while (value >= 0x80) {
      this.buf[this.pos++] = (value & 0x7f) | 0x80;
      value = Math.floor(value / 128);
    }
    this.buf[this.pos++] = value;
    return this;
  }

  /** Zigzag LEB128 int32. */
  writeVarInt(value: number): this {
    return this.writeUnsignedVarInt(((value << 1) ^ (value >> 31)) >>> 0);
  }

  /** Zigzag LEB128 int64. */
  writeVarLong(value: bigint): this {
    let raw = BigInt.asUintN(64, (value << 1n) ^ (value >> 63n));
    this.ensure(10);
    while (raw >= 0x80n) {
      this.buf[this.pos++] = Number(raw & 0x7fn) | 0x80;
      raw >>= 7n;
    }
    this.buf[this.pos++] = Number(raw);
    return this;
  }

  writeArrayLength(length: number): this {
    return this.writeInt32(length);
  }

  writeNullableArrayLength(length: number | null): this {
    return this.writeInt32(length ?? -1);
  }

  writeCompactArrayLength(length: number): this {
    return this.writeUnsignedVarInt(length + 1);
  }

  writeCompactNullableArrayLength(length: number | null): this {
    return this.writeUnsignedVarInt(length === null ? 0 : length + 1);
  }

  writeString(value: string): this {
    const n = Buffer.byteLength(value, 'utf8');
    if (n > 0x7fff) throw new EncodeError(`string of ${n} bytes exceeds int16 length`);
    this.writeInt16(n);
    return this.writeUtf8(value, n);
  }

  writeNullableString(value: string | null): this {
    return value === null ? this.writeInt16(-1) : this.writeString(value);
  }

  writeCompactString(value: string): this {
    const n = Buffer.byteLength(value, 'utf8');
    this.writeUnsignedVarInt(n + 1);
    return this.writeUtf8(value, n);
  }

  writeCompactNullableString(value: string | null): this {
    return value === null ? this.writeUnsignedVarInt(0) : this.writeCompactString(value);
  }

  writeBytes(value: Buffer): this {
    this.writeInt32(value.length);
    return this.writeRaw(value);
  }

  writeNullableBytes(value: Buffer | null): this {
    return value === null ? this.writeInt32(-1) : this.writeBytes(value);
  }

  writeCompactBytes(value: Buffer): this {
    this.writeUnsignedVarInt(value.length + 1);
    return this.writeRaw(value);
  }

  writeCompactNullableBytes(value: Buffer | null): this {
    return value === null ? this.writeUnsignedVarInt(0) : this.writeCompactBytes(value);
  }

  /** A `records` field (int32 length): one blob, or batches back to back, each kept by reference when large. */
  writeRecords(value: Buffer | readonly Buffer[]): this {
    this.writeInt32(recordsLength(value));
    return this.writeRecordChunks(value);
  }

  writeNullableRecords(value: Buffer | readonly Buffer[] | null): this {
    return value === null ? this.writeInt32(-1) : this.writeRecords(value);
  }

  writeCompactRecords(value: Buffer | readonly Buffer[]): this {
    this.writeUnsignedVarInt(recordsLength(value) + 1);
    return this.writeRecordChunks(value);
  }

  writeCompactNullableRecords(value: Buffer | readonly Buffer[] | null): this {
    return value === null ? this.writeUnsignedVarInt(0) : this.writeCompactRecords(value);
  }

  private writeRecordChunks(value: Buffer | readonly Buffer[]): this {
    if (Buffer.isBuffer(value)) return this.writeRaw(value);
    for (const chunk of value) this.writeRaw(chunk);
    return this;
  }

  /** Bytes as they are, without a length. */
  writeRaw(value: Buffer): this {
    if (value.length >= REFERENCE_BYTES_MIN) {
      this.seal();
      this.chunks.push(value);
      this.total += value.length;
      return this;
    }
    this.ensure(value.length);
    this.pos += value.copy(this.buf, this.pos);
    return this;
  }

  private writeUtf8(value: string, n: number): this {
    this.ensure(n);
    this.pos += this.buf.write(value, this.pos, n, 'utf8');
    return this;
  }

  /** The written bytes as chunks to write back to back. */
  chunksOut(): Buffer[] {
    this.seal();
    // chunks[0] always starts with the reserved frame prefix: pos starts past it.
    const out = [this.chunks[0].subarray(FRAME_PREFIX_BYTES), ...this.chunks.slice(1)];
    return out.filter((chunk) => chunk.length > 0);
  }

  /** The written bytes as one buffer (a copy only when there is more than one chunk). */
  toBuffer(): Buffer {
    const chunks = this.chunksOut();
    if (chunks.length === 0) return Buffer.alloc(0);
    return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
  }

  /** A Kafka frame: int32 size, then the written bytes, as chunks (the size costs no copy). */
  toFrame(): Buffer[] {
    this.seal();
    this.chunks[0].writeInt32BE(this.total - FRAME_PREFIX_BYTES, 0);
    return this.chunks.slice();
  }
}

/**
 * Reads Kafka wire types from a buffer: one method per type (kafkajs decoder.js style, no flag
 * arguments), big-endian, int64 as bigint. Every read is bounds-checked and fails with a
 * DecodeError. Bytes and records are views into the input, never copies.
 */
import { DecodeError } from './decode-error';

const utf8 = new TextDecoder('utf-8', { fatal: true });
const EMPTY = Buffer.alloc(0);
/** Strings up to this many bytes are checked for ASCII byte by byte before a TextDecoder call. */
const ASCII_FAST_BYTES_MAX = 64;

function isAscii(buf: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (buf[i] >= 0x80) return false;
  return true;
}

export class Reader {
  private pos: number;
  private view: DataView | null = null;

  constructor(private readonly buf: Buffer, offset = 0) {
    this.pos = offset;
  }

  get offset(): number {
    return this.pos;
  }

  remaining(): number {
    return this.buf.length - this.pos;
  }

  /** Moves past n bytes and returns where they start. */
  private take(n: number, what: string): number {
    if (n > this.buf.length - this.pos) {
      throw new DecodeError(`${what} needs ${n} bytes, ${this.remaining()} left`, this.pos);
    }
    const at = this.pos;
    this.pos += n;
    return at;
  }

  skip(n: number): void {
    this.take(n, 'skipped field');
  }

  readInt8(): number {
    return this.buf.readInt8(this.take(1, 'int8'));
  }

  readBoolean(): boolean {
    return this.buf[this.take(1, 'boolean')] !== 0;
  }

  readInt16(): number {
    return this.buf.readInt16BE(this.take(2, 'int16'));
  }

  readUInt16(): number {
    return this.buf.readUInt16BE(this.take(2, 'uint16'));
  }

  readInt32(): number {
    return this.buf.readInt32BE(this.take(4, 'int32'));
  }

  readUInt32(): number {
    return this.buf.readUInt32BE(this.take(4, 'uint32'));
  }

  readInt64(): bigint {
    const at = this.take(8, 'int64');
    // DataView's getBigInt64 is inlined by V8, about twice as fast as Buffer's readBigInt64BE.
    this.view ??= new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.length);
    return this.view.getBigInt64(at);
  }

  readFloat64(): number {
    return this.buf.readDoubleBE(this.take(8, 'float64'));
  }

  /** 16 bytes, returned as the canonical lowercase 8-4-4-4-12 form. */
  readUuid(): string {
    const at = this.take(16, 'uuid');
    const hex = this.buf.toString('hex', at, at + 16);
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  /** LEB128, at most 5 bytes, as an unsigned 32-bit number (compact lengths, tags, tag sizes). */
  readUnsignedVarInt(): number {
    // One- and two-byte varints (most lengths and counts) skip the general loop; an index past
    // the end reads undefined, which fails both tests.
    const b0 = this.buf[this.pos];
    if (b0 < 0x80) return this.buf[this.pos++];
    const b1 = this.buf[this.pos + 1];
    if (b0 !== undefined && b1 < 0x80) {
      this.pos += 2;
      return (b0 & 0x7f) | (b1 << 7);
    }
    const start = this.pos;
    let value = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      const byte = this.buf[this.take(1, 'unsigned varint')];
      if (shift === 28 && byte > 0x0f) throw new DecodeError('unsigned varint exceeds 32 bits', start);
      value += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return value;
    }
    throw new DecodeError('unsigned varint longer than 5 bytes', start);
  }

  /** Zigzag LEB128 int32 (record fields). */
  readVarInt(): number {
    const raw = this.readUnsignedVarInt();
    return (raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2);
  }

  /** Zigzag LEB128 int64, at most 10 bytes (record timestamp deltas). */
  readVarLong(): bigint {
    const start = this.pos;
    // Up to 7 bytes (49 bits) accumulate exactly in a number: one bigint conversion, not one per byte.
    let small = 0;
    for (let shift = 0; shift < 49; shift += 7) {
      const byte = this.buf[this.take(1, 'varlong')];
      small += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return BigInt(small % 2 === 0 ? small / 2 : -(small + 1) / 2);
    }
    this.pos = start;
    let raw = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      const byte = this.buf[this.take(1, 'varlong')];
      raw |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) {
        if (raw >= 1n << 64n) throw new DecodeError('varlong exceeds 64 bits', start);
        return (raw >> 1n) ^ -(raw & 1n);
      }
    }
    throw new DecodeError('varlong longer than 10 bytes', start);
  }

  /** Array length: int32, -1 means null. */
  readArrayLength(): number {
    return this.checkLength(this.readInt32(), 'array');
  }

  readNullableArrayLength(): number | null {
    const n = this.readInt32();
    return n === -1 ? null : this.checkLength(n, 'array');
  }

  /** Compact array length: unsigned varint N+1, 0 means null. */
  readCompactArrayLength(): number {
    return this.checkLength(this.readUnsignedVarInt() - 1, 'compact array');
  }

  readCompactNullableArrayLength(): number | null {
    const n = this.readUnsignedVarInt() - 1;
    return n === -1 ? null : this.checkLength(n, 'compact array');
  }

  readString(): string {
    return this.readUtf8(this.checkLength(this.readInt16(), 'string'));
  }

  readNullableString(): string | null {
    const n = this.readInt16();
    return n === -1 ? null : this.readUtf8(this.checkLength(n, 'string'));
  }

  readCompactString(): string {
    return this.readUtf8(this.checkLength(this.readUnsignedVarInt() - 1, 'compact string'));
  }

  readCompactNullableString(): string | null {
    const n = this.readUnsignedVarInt() - 1;
    return n === -1 ? null : this.readUtf8(this.checkLength(n, 'compact string'));
  }

  readBytes(): Buffer {
    return this.readView(this.checkLength(this.readInt32(), 'bytes'));
  }

  readNullableBytes(): Buffer | null {
    const n = this.readInt32();
    return n === -1 ? null : this.readView(this.checkLength(n, 'bytes'));
  }

  readCompactBytes(): Buffer {
    return this.readView(this.checkLength(this.readUnsignedVarInt() - 1, 'compact bytes'));
  }

  readCompactNullableBytes(): Buffer | null {
    const n = this.readUnsignedVarInt() - 1;
    return n === -1 ? null : this.readView(this.checkLength(n, 'compact bytes'));
  }

  /** Raw bytes of a known length (a view). */
  readRaw(length: number): Buffer {
    return this.readView(length);
  }

  /**
   * Rejects a negative length, and a length beyond the remaining input before anything is
   * allocated (Kafka's generated readers do the same: every element takes at least one byte).
   */
  private checkLength(n: number, what: string): number {
    if (n < 0) throw new DecodeError(`${what} length ${n} is negative`, this.pos);
    if (n > this.remaining()) {
      throw new DecodeError(`${what} length ${n} exceeds the ${this.remaining()} bytes left`, this.pos);
    }
    return n;
  }

  private readView(n: number): Buffer {
    if (n === 0) return EMPTY;
    const at = this.take(n, 'bytes');
    return this.buf.subarray(at, at + n);
  }

  private readUtf8(n: number): string {
    if (n === 0) return '';
    const at = this.take(n, 'string');
    // Client ids and topic names are short ASCII: reading them as latin1 after checking every
    // byte is below 0x80 (ASCII is valid UTF-8) skips a subarray and a TextDecoder call each.
    if (n <= ASCII_FAST_BYTES_MAX && isAscii(this.buf, at, at + n)) return this.buf.toString('latin1', at, at + n);
    try {
      return utf8.decode(this.buf.subarray(at, at + n));
    } catch {
      throw new DecodeError('string is not valid UTF-8', at);
    }
  }
}

/**
 * Bounds-checked reading and writing of the native protocol's field types (docs/native-protocol.md
 * §2): one method per wire type, big-endian, int64 as bigint. A read past the end throws
 * NativeDecodeError, which the connection answers with MALFORMED_FRAME.
 */

export class NativeDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NativeDecodeError';
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

export class NativeReader {
  private pos = 0;

  constructor(private readonly buf: Buffer) {}

  remaining(): number {
    return this.buf.length - this.pos;
  }

  private take(n: number, what: string): number {
    if (n < 0 || this.pos + n > this.buf.length) {
      throw new NativeDecodeError(`${what} needs ${n} bytes at position ${this.pos}, only ${this.remaining()} left`);
    }
    const at = this.pos;
    this.pos += n;
    return at;
  }

  readUint8(): number {
    return this.buf.readUInt8(this.take(1, 'uint8'));
  }

  readBoolean(): boolean {
    const v = this.readUint8();
    if (v > 1) throw new NativeDecodeError(`boolean must be 0 or 1, not ${v}`);
    return v === 1;
  }

  readUint16(): number {
    return this.buf.readUInt16BE(this.take(2, 'uint16'));
  }

  readInt32(): number {
    return this.buf.readInt32BE(this.take(4, 'int32'));
  }

  readUint32(): number {
    return this.buf.readUInt32BE(this.take(4, 'uint32'));
  }

  readInt64(): bigint {
    return this.buf.readBigInt64BE(this.take(8, 'int64'));
  }

  /** uint16 length, then that many UTF-8 bytes. */
  readString(): string {
    const length = this.readUint16();
    return this.decodeUtf8(length);
  }

  /** int16 length (-1 = null), then UTF-8 bytes. */
  readNullableString(): string | null {
    const length = this.buf.readInt16BE(this.take(2, 'nullable string length'));
    if (length === -1) return null;
    if (length < -1) throw new NativeDecodeError(`nullable string length ${length} is negative`);
    return this.decodeUtf8(length);
  }

  /** uint32 length, then that many bytes (a view, not a copy). */
  readBytes(): Buffer {
    const length = this.readUint32();
    const at = this.take(length, 'bytes');
    return this.buf.subarray(at, at + length);
  }

  /** int32 length (-1 = null), then bytes. */
  readNullableBytes(): Buffer | null {
    const length = this.readInt32();
    if (length === -1) return null;
    if (length < -1) throw new NativeDecodeError(`nullable bytes length ${length} is negative`);
    const at = this.take(length, 'bytes');
    return this.buf.subarray(at, at + length);
  }

  /** uint32 count, then count items; the count is checked against the bytes left (each item is >= 1 byte). */
  readArray<T>(readItem: (reader: NativeReader) => T): T[] {
    const count = this.readUint32();
    if (count > this.remaining()) throw new NativeDecodeError(`array of ${count} items cannot fit in ${this.remaining()} bytes`);
    const items: T[] = [];
    for (let i = 0; i < count; i++) items.push(readItem(this));
    return items;
  }

  /** Throws unless every byte was read: trailing garbage is a malformed frame. */
  expectEnd(what: string): void {
    if (this.remaining() !== 0) throw new NativeDecodeError(`${what} has ${this.remaining()} unexpected trailing bytes`);
  }

  private decodeUtf8(length: number): string {
    const at = this.take(length, 'string');
    try {
      return utf8.decode(this.buf.subarray(at, at + length));
    } catch {
      throw new NativeDecodeError(`string at position ${at} is not valid UTF-8`);
    }
  }
}

export class NativeWriter {
  private buf: Buffer;
  private pos = 0;

  constructor(initialBytes = 256) {
    this.buf = Buffer.allocUnsafe(initialBytes);
  }

  private room(n: number): number {
    if (this.pos + n > this.buf.length) {
      const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
      this.buf.copy(next, 0, 0, this.pos);
      this.buf = next;
    }
    const at = this.pos;
    this.pos += n;
    return at;
  }

  writeUint8(v: number): this {
    const at = this.room(1);
    this.buf.writeUInt8(v, at);
    return this;
  }

  writeBoolean(v: boolean): this {
    return this.writeUint8(v ? 1 : 0);
  }

  writeUint16(v: number): this {
    const at = this.room(2);
    this.buf.writeUInt16BE(v, at);
    return this;
  }

  writeInt32(v: number): this {
    const at = this.room(4);
    this.buf.writeInt32BE(v, at);
    return this;
  }

  writeUint32(v: number): this {
    const at = this.room(4);
    this.buf.writeUInt32BE(v, at);
    return this;
  }

  writeInt64(v: bigint): this {
    const at = this.room(8);
    this.buf.writeBigInt64BE(v, at);
    return this;
  }

  writeString(v: string): this {
    const bytes = Buffer.from(v, 'utf8');
    if (bytes.length > 0xffff) throw new RangeError(`string of ${bytes.length} bytes exceeds 65535`);
    this.writeUint16(bytes.length);
    return this.writeRaw(bytes);
  }

  writeNullableString(v: string | null): this {
    if (v === null) {
      const at = this.room(2);
    this.buf.writeInt16BE(-1, at);
      return this;
    }
    const bytes = Buffer.from(v, 'utf8');
    if (bytes.length > 0x7fff) throw new RangeError(`nullable string of ${bytes.length} bytes exceeds 32767`);
    const at = this.room(2);
    this.buf.writeInt16BE(bytes.length, at);
    return this.writeRaw(bytes);
  }

  writeBytes(v: Uint8Array): this {
    this.writeUint32(v.length);
    return this.writeRaw(v);
  }

  writeNullableBytes(v: Uint8Array | null): this {
    if (v === null) return this.writeInt32(-1);
    this.writeInt32(v.length);
    return this.writeRaw(v);
  }

  writeArray<T>(items: readonly T[], writeItem: (writer: NativeWriter, item: T) => void): this {
    this.writeUint32(items.length);
    for (const item of items) writeItem(this, item);
    return this;
  }

  writeRaw(bytes: Uint8Array): this {
    const at = this.room(bytes.length);
    this.buf.set(bytes, at);
    return this;
  }

  /** Overwrites a uint32 already written (frame length back-patching). */
  patchUint32(at: number, v: number): void {
    this.buf.writeUInt32BE(v, at);
  }

  length(): number {
    return this.pos;
  }

  toBuffer(): Buffer {
    return this.buf.subarray(0, this.pos);
  }
}

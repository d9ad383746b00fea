/**
 * Records inside an uncompressed RecordBatch v2 (KIP-98): length varint, attributes int8,
 * timestampDelta varlong, offsetDelta varint, key and value as varint length (-1 = null) plus
 * bytes, then headers (count varint; key varint length + UTF-8, value varint length or -1).
 * All varints here are zigzag, unlike the unsigned varints of flexible protocol versions.
 */
import { DecodeError } from '../primitives/decode-error';
import { Reader } from '../primitives/reader';
import { Writer } from '../primitives/writer';

export interface RecordHeader {
  readonly key: string;
  readonly value: Buffer | null;
}

export interface KafkaRecord {
  readonly attributes: number;
  readonly timestampDelta: bigint;
  readonly offsetDelta: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: readonly RecordHeader[];
}

/** A shared empty header list for the (common) records without headers; never mutated. */
const NO_HEADERS: readonly RecordHeader[] = Object.freeze([]);
/** bigint bounds: comparing a bigint with a bigint is cheaper than with a number. */
const INT32_MIN = -(2n ** 31n);
const INT32_MAX = 2n ** 31n - 1n;

/** Bytes of a zigzag varint; the record length is written before the record, so it is computed. */
function varIntBytes(value: number): number {
  let raw = ((value << 1) ^ (value >> 31)) >>> 0;
  let n = 1;
  while (raw >= 0x80) {
    raw = Math.floor(raw / 128);
    n++;
  }
  return n;
}

/** A varlong within int32 range has the same zigzag bytes as a varint, without bigint work per byte. */
function smallDelta(value: bigint): number | null {
  return value >= INT32_MIN && value <= INT32_MAX ? Number(value) : null;
}

function varLongBytes(value: bigint): number {
  const small = smallDelta(value);
  if (small !== null) return varIntBytes(small);
  let raw = BigInt.asUintN(64, (value << 1n) ^ (value >> 63n));
  let n = 1;
  for (; raw >= 0x80n; n++) raw >>= 7n;
  return n;
}

function varBytesSize(value: Buffer | null): number {
  return value === null ? 1 : varIntBytes(value.length) + value.length;
}

function writeVarBytes(w: Writer, value: Buffer | null): void {
  if (value === null) {
    w.writeVarInt(-1);
    return;
  }
  w.writeVarInt(value.length);
  if (value.length > 0) w.writeRaw(value);
}

/** Appends one record (with its length prefix), sized first so no scratch writer is needed. */
export function writeRecord(w: Writer, record: KafkaRecord): void {
  const headerKeys = record.headers.length === 0 ? [] : record.headers.map((h) => Buffer.from(h.key, 'utf8'));
  const small = smallDelta(record.timestampDelta);
  let size = 1 + varLongBytes(record.timestampDelta) + varIntBytes(record.offsetDelta)
    + varBytesSize(record.key) + varBytesSize(record.value) + varIntBytes(record.headers.length);
  for (let i = 0; i < headerKeys.length; i++) size += varBytesSize(headerKeys[i]) + varBytesSize(record.headers[i].value);
  w.writeVarInt(size).writeInt8(record.attributes);
  if (small !== null) w.writeVarInt(small);
  else w.writeVarLong(record.timestampDelta);
  w.writeVarInt(record.offsetDelta);
  writeVarBytes(w, record.key);
  writeVarBytes(w, record.value);
  w.writeVarInt(record.headers.length);
  for (let i = 0; i < headerKeys.length; i++) {
    writeVarBytes(w, headerKeys[i]);
    writeVarBytes(w, record.headers[i].value);
  }
}

function readVarBytes(r: Reader, what: string): Buffer | null {
  const length = r.readVarInt();
  if (length === -1) return null;
  if (length < -1) throw new DecodeError(`${what} length ${length} is negative`, r.offset);
  return r.readRaw(length);
}

/** Reads one record; its length prefix must match the bytes its fields take. */
export function readRecord(r: Reader): KafkaRecord {
  const length = r.readVarInt();
  if (length < 0 || length > r.remaining()) throw new DecodeError(`record length ${length} does not fit the ${r.remaining()} bytes left`, r.offset);
  const end = r.offset + length;
  const attributes = r.readInt8();
  const timestampDelta = r.readVarLong();
  const offsetDelta = r.readVarInt();
  const key = readVarBytes(r, 'record key');
  const value = readVarBytes(r, 'record value');
  const count = r.readVarInt();
  if (count < 0 || count > end - r.offset) throw new DecodeError(`record header count ${count} is impossible`, r.offset);
  let headers = NO_HEADERS;
  if (count > 0) {
    const read: RecordHeader[] = [];
    for (let i = 0; i < count; i++) {
      const headerKey = readVarBytes(r, 'header key');
      if (headerKey === null) throw new DecodeError('record header key is null', r.offset);
      read.push({ key: headerKey.toString('utf8'), value: readVarBytes(r, 'header value') });
    }
    headers = read;
  }
  if (r.offset !== end) throw new DecodeError(`record fields take ${length + r.offset - end} bytes, its length says ${length}`, r.offset);
  return { attributes, timestampDelta, offsetDelta, key, value, headers };
}

/**
 * Counts the records of an uncompressed record area by their length prefixes only (no field is
 * decoded); null when the lengths do not tile the area exactly.
 */
export function countRecords(area: Buffer): number | null {
  const r = new Reader(area);
  let count = 0;
  try {
    while (r.remaining() > 0) {
      const length = r.readVarInt();
      if (length < 0) return null;
      r.skip(length);
      count++;
    }
  } catch (err) {
    if (err instanceof DecodeError) return null;
    throw err;
  }
  return count;
}

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

function writeVarBytes(w: Writer, value: Buffer | null): void {
  if (value === null) {
    w.writeVarInt(-1);
    return;
  }
  w.writeVarInt(value.length).writeRaw(value);
}

/** Appends one record (with its length prefix). */
export function writeRecord(w: Writer, record: KafkaRecord): void {
  const body = new Writer();
  body.writeInt8(record.attributes).writeVarLong(record.timestampDelta).writeVarInt(record.offsetDelta);
  writeVarBytes(body, record.key);
  writeVarBytes(body, record.value);
  body.writeVarInt(record.headers.length);
  for (const header of record.headers) {
    writeVarBytes(body, Buffer.from(header.key, 'utf8'));
    writeVarBytes(body, header.value);
  }
  w.writeVarInt(body.length);
  for (const chunk of body.chunksOut()) w.writeRaw(chunk);
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
  if (length < 0) throw new DecodeError(`record length ${length} is negative`, r.offset);
  const inner = new Reader(r.readRaw(length));
  const attributes = inner.readInt8();
  const timestampDelta = inner.readVarLong();
  const offsetDelta = inner.readVarInt();
  const key = readVarBytes(inner, 'record key');
  const value = readVarBytes(inner, 'record value');
  const count = inner.readVarInt();
  if (count < 0 || count > inner.remaining()) throw new DecodeError(`record header count ${count} is impossible`, r.offset);
  const headers: RecordHeader[] = [];
  for (let i = 0; i < count; i++) {
    const headerKey = readVarBytes(inner, 'header key');
    if (headerKey === null) throw new DecodeError('record header key is null', r.offset);
    headers.push({ key: headerKey.toString('utf8'), value: readVarBytes(inner, 'header value') });
  }
  if (inner.remaining() !== 0) throw new DecodeError(`record has ${inner.remaining()} bytes past its fields`, r.offset);
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

/**
 * NativeRecordCodec over Kafka RecordBatch v2 (KIP-98 layout; Kafka's DefaultRecordBatch):
 *
 *   baseOffset i64 | batchLength i32 | partitionLeaderEpoch i32 | magic i8 = 2 | crc u32 (CRC-32C
 *   of everything after it) | attributes i16 | lastOffsetDelta i32 | baseTimestamp i64 |
 *   maxTimestamp i64 | producerId i64 | producerEpoch i16 | baseSequence i32 | records i32 | records
 *
 * and each record: length varint | attributes i8 | timestampDelta varlong | offsetDelta varint |
 * key varint-length bytes | value varint-length bytes | headers varint count, each key and value
 * varint-length (-1 = null). Native sends are written uncompressed with producerId -1 (not
 * idempotent). Reading handles uncompressed and gzip batches (what kcat, kafkajs and native
 * producers send by default); other codecs are reported, not guessed.
 */
import { gunzipSync } from 'node:zlib';
import { crc32c } from '../../protocol/primitives/crc32c';
import { Reader } from '../../protocol/primitives/reader';
import { Writer } from '../../protocol/primitives/writer';
import type { Header, OutgoingMessage } from '../../protocol/native/messages';
import type { NativeRecordCodec } from './record-codec';
import type { StoredMessage } from './subscriptions/types';

const HEADER_BYTES = 61;
const EMPTY = Buffer.alloc(0);
/** Shared by every record without headers (most of them); never mutated. */
const NO_HEADERS: Header[] = Object.freeze([]) as unknown as Header[];
const CRC_START = 21;
const ATTR_TIMESTAMP_LOG_APPEND = 0x08;
const ATTR_CONTROL = 0x20;
const COMPRESSION = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];

/** Bytes of a zigzag varint (the record length must be known before the record is written). */
function varIntBytes(value: number): number {
  let raw = ((value << 1) ^ (value >> 31)) >>> 0;
  let n = 1;
  while (raw >= 0x80) {
    raw = Math.floor(raw / 128);
    n++;
  }
  return n;
}

function varLongBytes(value: bigint): number {
  let raw = BigInt.asUintN(64, (value << 1n) ^ (value >> 63n));
  let n = 1;
  while (raw >= 0x80n) {
    raw >>= 7n;
    n++;
  }
  return n;
}

function fieldBytes(b: Buffer | null): number {
  return b === null ? 1 : varIntBytes(b.length) + b.length;
}

function writeField(w: Writer, b: Buffer | null): void {
  if (b === null) {
    w.writeVarInt(-1);
    return;
  }
  w.writeVarInt(b.length);
  if (b.length > 0) w.writeRaw(b);
}

function writeRecord(w: Writer, m: OutgoingMessage, index: number, baseTimestamp: bigint): void {
  const timestampDelta = m.timestampMs - baseTimestamp;
  const headerKeys = m.headers.map((h) => Buffer.from(h.key, 'utf8'));
  let size = 1 + varLongBytes(timestampDelta) + varIntBytes(index) + fieldBytes(m.key) + fieldBytes(m.payload) + varIntBytes(m.headers.length);
  m.headers.forEach((h, i) => {
    size += fieldBytes(headerKeys[i]) + fieldBytes(h.value);
  });
  w.writeVarInt(size).writeInt8(0).writeVarLong(timestampDelta).writeVarInt(index);
  writeField(w, m.key);
  writeField(w, m.payload);
  w.writeVarInt(m.headers.length);
  m.headers.forEach((h, i) => {
    writeField(w, headerKeys[i]);
    writeField(w, h.value);
  });
}

export function encodeRecordBatch(messages: OutgoingMessage[]): Buffer {
  let baseTimestamp = messages[0].timestampMs;
  let maxTimestamp = baseTimestamp;
  for (const m of messages) {
    if (m.timestampMs < baseTimestamp) baseTimestamp = m.timestampMs;
    if (m.timestampMs > maxTimestamp) maxTimestamp = m.timestampMs;
  }
  const w = new Writer(HEADER_BYTES + messages.length * 32 + messages.reduce((n, m) => n + (m.payload.length < 1024 ? m.payload.length : 0), 0));
  // batchLength and crc are patched once the records are written.
  w.writeInt64(0n).writeInt32(0).writeInt32(-1).writeInt8(2).writeUInt32(0).writeInt16(0).writeInt32(messages.length - 1)
    .writeInt64(baseTimestamp).writeInt64(maxTimestamp).writeInt64(-1n).writeInt16(-1).writeInt32(-1).writeInt32(messages.length);
  messages.forEach((m, i) => writeRecord(w, m, i, baseTimestamp));
  const batch = w.toBuffer();
  batch.writeInt32BE(batch.length - 12, 8);
  batch.writeUInt32BE(crc32c(batch.subarray(CRC_START)) >>> 0, 17);
  return batch;
}

function readField(r: Reader): Buffer | null {
  const length = r.readVarInt();
  return length < 0 ? null : r.readRaw(length);
}

function decodeOne(batch: Buffer, partition: number, out: StoredMessage[]): void {
  const attributes = batch.readInt16BE(21);
  if (attributes & ATTR_CONTROL) return;
  const baseOffset = batch.readBigInt64BE(0);
  const baseTimestamp = batch.readBigInt64BE(27);
  const logAppendTime = attributes & ATTR_TIMESTAMP_LOG_APPEND ? batch.readBigInt64BE(35) : null;
  const count = batch.readInt32BE(57);
  const codec = COMPRESSION[attributes & 0x07] ?? 'unknown';
  let records = batch.subarray(HEADER_BYTES);
  if (codec === 'gzip') records = gunzipSync(records);
  else if (codec !== 'none') throw new Error(`batch at offset ${baseOffset} is ${codec}-compressed; native dispatch reads none and gzip`);
  const r = new Reader(records);
  for (let i = 0; i < count; i++) {
    const length = r.readVarInt();
    const end = r.offset + length;
    r.readInt8();
    const timestampDelta = r.readVarLong();
    const offsetDelta = r.readVarInt();
    const key = readField(r);
    const payload = readField(r) ?? EMPTY;
    const headerCount = r.readVarInt();
    const headers: Header[] = headerCount === 0 ? NO_HEADERS : [];
    for (let h = 0; h < headerCount; h++) headers.push({ key: (readField(r) ?? EMPTY).toString('utf8'), value: readField(r) });
    if (r.offset > end) throw new Error(`record ${i} of the batch at offset ${baseOffset} overruns its length`);
    if (r.offset < end) r.skip(end - r.offset);
    out.push({
      partition, offset: baseOffset + BigInt(offsetDelta), publishTimeMs: logAppendTime ?? baseTimestamp + timestampDelta,
      key, headers, payload,
    });
  }
}

export const kafkaRecordCodec: NativeRecordCodec = {
  encodeBatch: encodeRecordBatch,
  async decodeBatches(chunks, partition) {
    const out: StoredMessage[] = [];
    for (const chunk of chunks) {
      for (let pos = 0; pos + 12 <= chunk.length;) {
        const size = 12 + chunk.readInt32BE(pos + 8);
        if (pos + size > chunk.length) break;
        decodeOne(chunk.subarray(pos, pos + size), partition, out);
        pos += size;
      }
    }
    return out;
  },
};

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
import { crc32c } from '@node-rs/crc32';
import { gunzipSync } from 'node:zlib';
import type { Header, OutgoingMessage } from '../../protocol/native/messages';
import type { NativeRecordCodec } from './record-codec';
import type { StoredMessage } from './subscriptions/types';

const HEADER_BYTES = 61;
const CRC_START = 21;
const ATTR_TIMESTAMP_LOG_APPEND = 0x08;
const ATTR_CONTROL = 0x20;
const COMPRESSION = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];

class VarWriter {
  readonly parts: Buffer[] = [];
  bytes = 0;
  varint(v: number): void {
    this.varlong(BigInt(v));
  }
  varlong(v: bigint): void {
    let z = BigInt.asUintN(64, (v << 1n) ^ (v >> 63n));
    const out: number[] = [];
    while (z >= 0x80n) {
      out.push(Number(z & 0x7fn) | 0x80);
      z >>= 7n;
    }
    out.push(Number(z));
    this.raw(Buffer.from(out));
  }
  bytesField(b: Buffer | null): void {
    if (b === null) return this.varint(-1);
    this.varint(b.length);
    this.raw(b);
  }
  raw(b: Buffer): void {
    this.parts.push(b);
    this.bytes += b.length;
  }
}

function encodeRecord(m: OutgoingMessage, index: number, baseTimestamp: bigint): Buffer {
  const body = new VarWriter();
  body.raw(Buffer.from([0]));
  body.varlong(m.timestampMs - baseTimestamp);
  body.varint(index);
  body.bytesField(m.key);
  body.bytesField(m.payload);
  body.varint(m.headers.length);
  for (const h of m.headers) {
    body.bytesField(Buffer.from(h.key, 'utf8'));
    body.bytesField(h.value);
  }
  const length = new VarWriter();
  length.varint(body.bytes);
  return Buffer.concat([...length.parts, ...body.parts]);
}

export function encodeRecordBatch(messages: OutgoingMessage[]): Buffer {
  const baseTimestamp = messages.reduce((min, m) => (m.timestampMs < min ? m.timestampMs : min), messages[0].timestampMs);
  const maxTimestamp = messages.reduce((max, m) => (m.timestampMs > max ? m.timestampMs : max), messages[0].timestampMs);
  const records = messages.map((m, i) => encodeRecord(m, i, baseTimestamp));
  const header = Buffer.alloc(HEADER_BYTES);
  const total = HEADER_BYTES + records.reduce((s, r) => s + r.length, 0);
  header.writeBigInt64BE(0n, 0);
  header.writeInt32BE(total - 12, 8);
  header.writeInt32BE(-1, 12);
  header.writeInt8(2, 16);
  header.writeInt16BE(0, 21);
  header.writeInt32BE(messages.length - 1, 23);
  header.writeBigInt64BE(baseTimestamp, 27);
  header.writeBigInt64BE(maxTimestamp, 35);
  header.writeBigInt64BE(-1n, 43);
  header.writeInt16BE(-1, 51);
  header.writeInt32BE(-1, 53);
  header.writeInt32BE(messages.length, 57);
  const batch = Buffer.concat([header, ...records], total);
  batch.writeUInt32BE(crc32c(batch.subarray(CRC_START)) >>> 0, 17);
  return batch;
}

class VarReader {
  pos = 0;
  constructor(private readonly buf: Buffer) {}
  varlong(): bigint {
    let shift = 0n;
    let z = 0n;
    for (;;) {
      if (this.pos >= this.buf.length) throw new Error('record varint runs past the end of the batch');
      const b = this.buf[this.pos++];
      z |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) break;
      shift += 7n;
      if (shift > 63n) throw new Error('record varint is longer than 10 bytes');
    }
    return (z >> 1n) ^ -(z & 1n);
  }
  varint(): number {
    return Number(this.varlong());
  }
  bytesField(): Buffer | null {
    const length = this.varint();
    if (length < 0) return null;
    if (this.pos + length > this.buf.length) throw new Error('record field runs past the end of the batch');
    const out = this.buf.subarray(this.pos, this.pos + length);
    this.pos += length;
    return out;
  }
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
  const r = new VarReader(records);
  for (let i = 0; i < count; i++) {
    const length = r.varint();
    const end = r.pos + length;
    r.pos += 1;
    const timestampDelta = r.varlong();
    const offsetDelta = r.varint();
    const key = r.bytesField();
    const payload = r.bytesField() ?? Buffer.alloc(0);
    const headerCount = r.varint();
    const headers: Header[] = [];
    for (let h = 0; h < headerCount; h++) headers.push({ key: (r.bytesField() ?? Buffer.alloc(0)).toString('utf8'), value: r.bytesField() });
    r.pos = end;
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

/**
 * A RecordBatch v2 written record by record as a native producer's messages arrive (spec §3.1,
 * §7): the producer's linger buffer is the batch itself, so a queued message is bytes, not an
 * object the garbage collector has to trace and copy until its receipt comes back.
 *
 * The bytes are those encodeMessageBatch (message-batch.ts) writes for the same messages:
 * magic 2, uncompressed, CreateTime, producer id -1, baseTimestamp the smallest timestamp (the
 * first one: a message older than the batch's first, or too far after it for a number delta,
 * does not fit and the producer opens a new batch), offsetDelta = index. A property test
 * compares the two.
 */
import { BATCH, writeBatchCrc } from '../kafka/record-batch';
import { decodeRecordBatch } from '../kafka/record-batch-builder';
import type { Header, OutgoingMessage } from './messages';
import { varBytes, writeVar } from './record-varint';

/** Largest timestamp delta kept in one batch: its zigzag (2 * delta) stays a safe integer. */
const TIMESTAMP_DELTA_MAX = 2 ** 51;
/** The header section of a record without headers: a zero count. */
export const NO_HEADER_BYTES: Buffer = Buffer.from([0]);
const EMPTY = Buffer.alloc(0);

export class OpenBatch {
  private buffer: Buffer;
  private at: number = BATCH.headerBytes;
  private baseMs = 0;
  private maxMs = 0;
  /** Records written so far. */
  count = 0;

  constructor(capacityBytes: number) {
    this.buffer = Buffer.allocUnsafe(Math.max(capacityBytes, BATCH.headerBytes + 64));
  }

  /** Bytes of the batch so far, header included. */
  get bytes(): number {
    return this.at;
  }

  /** False when a message stamped `timestampMs` cannot join: older than the first, or too far after it. */
  accepts(timestampMs: number): boolean {
    return this.count === 0 || (timestampMs >= this.baseMs && timestampMs - this.baseMs <= TIMESTAMP_DELTA_MAX);
  }

  /**
   * Appends one record (the caller checked accepts()). `payload` is bytes or a string written as
   * UTF-8; `headerBytes` is the record's encoded header section (encodeHeaderSection), shared by
   * messages with the same headers.
   */
  append(key: Buffer | null, headerBytes: Buffer, timestampMs: number, payload: Uint8Array | string): void {
    if (this.count === 0) {
      this.baseMs = timestampMs;
      this.maxMs = timestampMs;
    } else if (timestampMs > this.maxMs) this.maxMs = timestampMs;
    const delta2 = (timestampMs - this.baseMs) * 2;
    const offset2 = this.count * 2;
    const payloadBytes = typeof payload === 'string' ? Buffer.byteLength(payload, 'utf8') : payload.length;
    const size = 1 + varBytes(delta2) + varBytes(offset2) + (key === null ? 1 : varBytes(key.length * 2) + key.length)
      + varBytes(payloadBytes * 2) + payloadBytes + headerBytes.length;
    this.reserve(varBytes(size * 2) + size);
    const b = this.buffer;
    let at = writeVar(b, this.at, size * 2);
    b[at++] = 0;
    at = writeVar(b, at, delta2);
    at = writeVar(b, at, offset2);
    if (key === null) b[at++] = 1;
    else {
      at = writeVar(b, at, key.length * 2);
      b.set(key, at);
      at += key.length;
    }
    at = writeVar(b, at, payloadBytes * 2);
    // TypedArray set, not Buffer.copy: no JavaScript wrapper around the native copy (~0.1 µs per small record).
    if (typeof payload === 'string') b.write(payload, at, payloadBytes, 'utf8');
    else b.set(payload, at);
    at += payloadBytes;
    b.set(headerBytes, at);
    at += headerBytes.length;
    this.at = at;
    this.count++;
  }

  /**
   * Appends payloads[from] .. payloads[to - 1] as records sharing key, headers and timestamp (the
   * caller checked accepts()), stopping before one that could take the batch past `bytesMax`
   * (the first record of an empty batch always goes in). Returns how many it appended.
   */
  appendMany(key: Buffer | null, headerBytes: Buffer, timestampMs: number, payloads: readonly (Uint8Array | string)[], from: number, to: number, bytesMax: number): number {
    // Besides the payload: up to 25 bytes of varints and attributes, the key, the headers.
    const fixedBytes = 25 + (key === null ? 0 : key.length) + headerBytes.length;
    let i = from;
    for (; i < to; i++) {
      const payload = payloads[i];
      const payloadBytesMax = typeof payload === 'string' ? payload.length * 3 : payload.length;
      if (this.count > 0 && this.at + fixedBytes + payloadBytesMax > bytesMax) break;
      this.append(key, headerBytes, timestampMs, payload);
    }
    return i - from;
  }

  /** The finished batch (header and CRC-32C written); the batch takes no more records. */
  finish(): Buffer {
    const b = this.buffer.subarray(0, this.at);
    const view = new DataView(b.buffer, b.byteOffset, b.length);
    view.setBigInt64(BATCH.baseOffsetAt, 0n);
    view.setInt32(BATCH.batchLengthAt, b.length - BATCH.logOverheadBytes);
    view.setInt32(BATCH.partitionLeaderEpochAt, -1);
    b[BATCH.magicAt] = 2;
    view.setInt16(BATCH.attributesAt, 0);
    view.setInt32(BATCH.lastOffsetDeltaAt, this.count - 1);
    view.setBigInt64(BATCH.baseTimestampAt, BigInt(this.baseMs));
    view.setBigInt64(BATCH.maxTimestampAt, BigInt(this.maxMs));
    view.setBigInt64(BATCH.producerIdAt, -1n);
    view.setInt16(BATCH.producerEpochAt, -1);
    view.setInt32(BATCH.baseSequenceAt, -1);
    view.setInt32(BATCH.recordCountAt, this.count);
    writeBatchCrc(b);
    return b;
  }

  /** Room for `bytes` more, doubling the buffer as needed. */
  private reserve(bytes: number): void {
    if (this.at + bytes <= this.buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.at + bytes));
    this.buffer.copy(grown, 0, 0, this.at);
    this.buffer = grown;
  }
}

/** A record's header section (records.ts layout: count, then key and nullable value per header). */
export function encodeHeaderSection(headers: readonly Header[]): Buffer {
  if (headers.length === 0) return NO_HEADER_BYTES;
  let size = varBytes(headers.length * 2);
  for (const h of headers) {
    const keyBytes = Buffer.byteLength(h.key, 'utf8');
    size += varBytes(keyBytes * 2) + keyBytes + (h.value === null ? 1 : varBytes(h.value.length * 2) + h.value.length);
  }
  const b = Buffer.allocUnsafe(size);
  let at = writeVar(b, 0, headers.length * 2);
  for (const h of headers) {
    const keyBytes = Buffer.byteLength(h.key, 'utf8');
    at = writeVar(b, at, keyBytes * 2);
    at += b.write(h.key, at, keyBytes, 'utf8');
    if (h.value === null) b[at++] = 1;
    else {
      at = writeVar(b, at, h.value.length * 2);
      at += h.value.copy(b, at);
    }
  }
  return b;
}

/** The messages of a batch this module wrote, for a SEND to a version 1 broker (which takes messages, not batches). */
export function messagesOfBatch(batch: Buffer): OutgoingMessage[] {
  return decodeRecordBatch(batch).records.map((r) => ({ key: r.key, timestampMs: r.timestamp, headers: [...r.headers], payload: r.value ?? EMPTY }));
}

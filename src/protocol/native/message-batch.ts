/**
 * Native messages as one Kafka RecordBatch v2 (magic 2, uncompressed, CreateTime, producer id
 * -1): the broker builds it for a SEND, the client builds it itself for a SEND_BATCH (spec §3.1,
 * §7). Each message is one record: key, headers, payload as the value, timestampMs as the record
 * timestamp; the batch's base timestamp is the smallest of the messages'.
 *
 * This is the client's hottest code, so it sizes every record first and writes the batch into
 * one buffer with number arithmetic: no record object, no bigint per record, no writer chunks.
 * The bytes are exactly those of the shared builder (record-batch-builder.ts, records.ts), which
 * it falls back to for timestamps beyond 2^53 ms; a property test compares the two.
 */
import { EncodeError } from '../primitives/decode-error';
import { BATCH, writeBatchCrc } from '../kafka/record-batch';
import { buildRecordBatch } from '../kafka/record-batch-builder';
import type { Header, OutgoingMessage } from './messages';
import { varBytes, writeVar } from './record-varint';

export function encodeMessageBatch(messages: readonly OutgoingMessage[]): Buffer {
  if (messages.length === 0) throw new EncodeError('a record batch needs at least one record');
  const times = timestampsOf(messages);
  if (times === null) {
    // A timestamp past 2^53 ms (no real clock): the general builder's bigint arithmetic.
    let baseTimestamp = messages[0].timestampMs;
    for (const m of messages) if (m.timestampMs < baseTimestamp) baseTimestamp = m.timestampMs;
    return buildRecordBatch({
      baseTimestamp,
      records: messages.map((m) => ({ key: m.key, value: m.payload, headers: m.headers, timestamp: m.timestampMs })),
    });
  }
  return writeBatch(messages, times);
}

interface Timestamps {
  /** Each message's timestamp as a number (exact: all are safe integers). */
  readonly ms: Float64Array;
  readonly base: number;
  readonly baseTimestamp: bigint;
  readonly maxTimestamp: bigint;
}

/** Timestamps as numbers (Number(bigint) is ~45 ns, so a run of equal bigints converts once); null past the safe range. */
function timestampsOf(messages: readonly OutgoingMessage[]): Timestamps | null {
  const ms = new Float64Array(messages.length);
  let last = messages[0].timestampMs;
  let lastMs = Number(last);
  let min = 0;
  let max = 0;
  for (let i = 0; i < messages.length; i++) {
    const t = messages[i].timestampMs;
    if (t !== last) {
      last = t;
      lastMs = Number(t);
    }
    ms[i] = lastMs;
    if (lastMs < ms[min]) min = i;
    if (lastMs > ms[max]) max = i;
  }
  // Zigzag deltas are 2 * (ms - base): they must stay safe integers too.
  if (!Number.isSafeInteger(ms[min]) || !Number.isSafeInteger(ms[max]) || !Number.isSafeInteger(2 * (ms[max] - ms[min]))) return null;
  return { ms, base: ms[min], baseTimestamp: messages[min].timestampMs, maxTimestamp: messages[max].timestampMs };
}

function writeBatch(messages: readonly OutgoingMessage[], times: Timestamps): Buffer {
  const { ms, base } = times;
  const sizes = new Int32Array(messages.length);
  let total: number = BATCH.headerBytes;
  for (let i = 0; i < messages.length; i++) {
    const size = recordBytes(messages[i], ms[i] - base, i);
    sizes[i] = size;
    total += varBytes(size * 2) + size;
  }
  const b = Buffer.allocUnsafe(total);
  const view = new DataView(b.buffer, b.byteOffset, b.length);
  view.setBigInt64(BATCH.baseOffsetAt, 0n);
  view.setInt32(BATCH.batchLengthAt, total - BATCH.logOverheadBytes);
  view.setInt32(BATCH.partitionLeaderEpochAt, -1);
  b[BATCH.magicAt] = 2;
  view.setInt16(BATCH.attributesAt, 0);
  view.setInt32(BATCH.lastOffsetDeltaAt, messages.length - 1);
  view.setBigInt64(BATCH.baseTimestampAt, times.baseTimestamp);
  view.setBigInt64(BATCH.maxTimestampAt, times.maxTimestamp);
  view.setBigInt64(BATCH.producerIdAt, -1n);
  view.setInt16(BATCH.producerEpochAt, -1);
  view.setInt32(BATCH.baseSequenceAt, -1);
  view.setInt32(BATCH.recordCountAt, messages.length);
  let at: number = BATCH.headerBytes;
  for (let i = 0; i < messages.length; i++) at = writeRecord(b, at, sizes[i], messages[i], ms[i] - base, i);
  writeBatchCrc(b);
  return b;
}

/** Bytes of a record after its length prefix (records.ts layout; zigzag of n >= 0 is 2n, of -1 is 1). */
function recordBytes(m: OutgoingMessage, timestampDelta: number, offsetDelta: number): number {
  let size = 1 + varBytes(timestampDelta * 2) + varBytes(offsetDelta * 2) + sizedBytes(m.key) + sizedBytes(m.payload) + varBytes(m.headers.length * 2);
  for (const h of m.headers) {
    const keyBytes = Buffer.byteLength(h.key, 'utf8');
    size += varBytes(keyBytes * 2) + keyBytes + sizedBytes(h.value);
  }
  return size;
}

function writeRecord(b: Buffer, at: number, size: number, m: OutgoingMessage, timestampDelta: number, offsetDelta: number): number {
  at = writeVar(b, at, size * 2);
  b[at++] = 0;
  at = writeVar(b, at, timestampDelta * 2);
  at = writeVar(b, at, offsetDelta * 2);
  at = writeSized(b, at, m.key);
  at = writeSized(b, at, m.payload);
  at = writeVar(b, at, m.headers.length * 2);
  for (const h of m.headers as readonly Header[]) {
    const keyBytes = Buffer.byteLength(h.key, 'utf8');
    at = writeVar(b, at, keyBytes * 2);
    at += b.write(h.key, at, keyBytes, 'utf8');
    at = writeSized(b, at, h.value);
  }
  return at;
}

function sizedBytes(value: Buffer | null): number {
  return value === null ? 1 : varBytes(value.length * 2) + value.length;
}

function writeSized(b: Buffer, at: number, value: Buffer | null): number {
  if (value === null) {
    b[at] = 1;
    return at + 1;
  }
  at = writeVar(b, at, value.length * 2);
  b.set(value, at);
  return at + value.length;
}


/**
 * Byte span [start, end) within a stored uncompressed batch of its records firstIndex ..
 * firstIndex + count - 1, found by their length prefixes alone (zigzag varints; the batch was
 * checked well formed when it was read). A MESSAGE_BATCH slice (spec §3.2, version 4) sends it.
 */
export function recordSpan(batch: Buffer, firstIndex: number, count: number): [number, number] {
  let at: number = BATCH.headerBytes;
  let start = at;
  const end = firstIndex + count;
  for (let i = 0; i < end; i++) {
    if (i === firstIndex) start = at;
    let raw = 0;
    let scale = 1;
    let byte: number;
    do {
      byte = batch[at++];
      raw += (byte & 0x7f) * scale;
      scale *= 0x80;
    } while (byte >= 0x80);
    // Zigzag: a record length is never negative.
    at += raw / 2;
  }
  return [start, at];
}

/**
 * The 61-byte header of a MESSAGE_BATCH slice at `at` in `target`: the stored batch's header with
 * recordCount = `count` and batchLength covering the `recordBytes` that follow (CRC unchanged:
 * it covers the stored batch, which the broker checked when it read it).
 */
export function writeSliceHeader(target: Buffer, at: number, batch: Buffer, count: number, recordBytes: number): number {
  batch.copy(target, at, 0, BATCH.headerBytes);
  target.writeInt32BE(BATCH.headerBytes - BATCH.logOverheadBytes + recordBytes, at + BATCH.batchLengthAt);
  target.writeInt32BE(count, at + BATCH.recordCountAt);
  return at + BATCH.headerBytes;
}

/** The slice of `batch` holding records firstIndex .. firstIndex + count - 1, as one buffer (header copy, then the records). */
export function batchSlice(batch: Buffer, firstIndex: number, count: number): Buffer {
  const [start, end] = recordSpan(batch, firstIndex, count);
  const out = Buffer.allocUnsafe(BATCH.headerBytes + end - start);
  writeSliceHeader(out, 0, batch, count, end - start);
  batch.copy(out, BATCH.headerBytes, start, end);
  return out;
}

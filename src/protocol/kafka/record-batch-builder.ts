/**
 * Builds and decodes uncompressed RecordBatch v2 batches: the native protocol writes its
 * messages as record batches (one log format for both protocols), and tests build batches the
 * way producers do. Compressed batches are never built or decoded here.
 */
import { DecodeError, EncodeError } from '../primitives/decode-error';
import { Reader } from '../primitives/reader';
import { Writer } from '../primitives/writer';
import { ATTRIBUTES, BATCH, readBatchHeader, writeBatchCrc, type RecordBatchHeader } from './record-batch';
import { readRecord, writeRecord, type KafkaRecord, type RecordHeader } from './records';

export interface RecordInput {
  readonly key?: Buffer | null;
  readonly value: Buffer | null;
  readonly headers?: readonly RecordHeader[];
  /** Absolute create time in ms; defaults to the batch's baseTimestamp. */
  readonly timestamp?: bigint;
}

export interface BuildRecordBatchInput {
  readonly records: readonly RecordInput[];
  readonly baseTimestamp: bigint;
  readonly baseOffset?: bigint;
  readonly partitionLeaderEpoch?: number;
  readonly producerId?: bigint;
  readonly producerEpoch?: number;
  readonly baseSequence?: number;
  readonly isTransactional?: boolean;
  readonly timestampType?: 'create' | 'log-append';
  readonly compression?: 'none';
}

/** Capacity for one scratch buffer: the Writer copies small fields and keeps values of 1 KiB and more by reference. */
function estimateBatchBytes(records: readonly RecordInput[]): number {
  let bytes = BATCH.headerBytes;
  for (const record of records) {
    bytes += 24 + (record.key?.length ?? 0) + (record.headers?.length ?? 0) * 16;
    const valueBytes = record.value?.length ?? 0;
    if (valueBytes < 1024) bytes += valueBytes;
  }
  return bytes;
}

/** A complete batch (header, records, CRC-32C) as one buffer. */
export function buildRecordBatch(input: BuildRecordBatchInput): Buffer {
  if (input.records.length === 0) throw new EncodeError('a record batch needs at least one record');
  if ((input.compression ?? 'none') !== 'none') throw new EncodeError('only uncompressed batches are built here');
  const w = new Writer(estimateBatchBytes(input.records));
  let maxTimestamp = input.baseTimestamp;
  const attributes = (input.isTransactional ? ATTRIBUTES.transactional : 0) | (input.timestampType === 'log-append' ? ATTRIBUTES.logAppendTime : 0);
  w.writeInt64(input.baseOffset ?? 0n).writeInt32(0).writeInt32(input.partitionLeaderEpoch ?? -1).writeInt8(2).writeUInt32(0);
  w.writeInt16(attributes).writeInt32(input.records.length - 1).writeInt64(input.baseTimestamp);
  const maxTimestampAt = w.length;
  w.writeInt64(0n).writeInt64(input.producerId ?? -1n).writeInt16(input.producerEpoch ?? -1).writeInt32(input.baseSequence ?? -1);
  w.writeInt32(input.records.length);
  input.records.forEach((record, offsetDelta) => {
    const timestamp = record.timestamp ?? input.baseTimestamp;
    if (timestamp > maxTimestamp) maxTimestamp = timestamp;
    writeRecord(w, {
      attributes: 0, timestampDelta: timestamp - input.baseTimestamp, offsetDelta,
      key: record.key ?? null, value: record.value, headers: record.headers ?? [],
    });
  });
  const batch = w.toBuffer();
  batch.writeInt32BE(batch.length - BATCH.logOverheadBytes, BATCH.batchLengthAt);
  batch.writeBigInt64BE(maxTimestamp, maxTimestampAt);
  writeBatchCrc(batch);
  return batch;
}

export interface DecodedRecord extends KafkaRecord {
  /** baseOffset + offsetDelta. */
  readonly offset: bigint;
  /** baseTimestamp + timestampDelta (create time; see the header's timestampType). */
  readonly timestamp: bigint;
}

/** Decodes an uncompressed batch's records; throws DecodeError for compressed or malformed ones. */
export function decodeRecordBatch(batch: Buffer): { header: RecordBatchHeader; records: DecodedRecord[] } {
  const header = readBatchHeader(batch);
  if (header.magic !== 2) throw new DecodeError(`record batch magic ${header.magic} is not 2`, BATCH.magicAt);
  if (header.compressionId !== 0) throw new DecodeError('compressed record batches are not decoded here', BATCH.attributesAt);
  const end = BATCH.logOverheadBytes + header.batchLength;
  if (end > batch.length || end < BATCH.headerBytes) throw new DecodeError(`batch length ${header.batchLength} does not fit`, BATCH.batchLengthAt);
  const r = new Reader(batch.subarray(0, end), BATCH.headerBytes);
  const records: DecodedRecord[] = [];
  for (let i = 0; i < header.recordCount; i++) {
    const record = readRecord(r);
    records.push({ ...record, offset: header.baseOffset + BigInt(record.offsetDelta), timestamp: header.baseTimestamp + record.timestampDelta });
  }
  if (r.remaining() !== 0) throw new DecodeError(`${r.remaining()} bytes follow the declared ${header.recordCount} records`, r.offset);
  return { header, records };
}

/**
 * Kafka RecordBatch v2 on the append path (reference kafka-clients.md §6), header only: records
 * are never decoded, so compressed batches (gzip, snappy, lz4, zstd) pass through as sent.
 * Checks: magic 2, batch length = bytes sent (Produce v3+ carries exactly one batch), CRC-32C
 * over bytes [21, end), a known codec, recordCount = lastOffsetDelta + 1 as every producer
 * writes it, and no control batch from a client.
 */
import { crc32c } from '../../protocol/primitives/crc32c';
import type { RecoverableBatchFormat } from '../../storage/partition-log';
import { DomainError } from '../errors';
import type { BatchHeader, BatchInspector } from '../partitions/batch-inspector';

const HEADER_BYTES = 61;
const LOG_OVERHEAD = 12;
const MAGIC_AT = 16;
const CRC_AT = 17;
const CRC_FROM = 21;
const ATTRIBUTES_AT = 21;
const LAST_OFFSET_DELTA_AT = 23;
const BASE_TIMESTAMP_AT = 27;
const MAX_TIMESTAMP_AT = 35;
const PRODUCER_ID_AT = 43;
const PRODUCER_EPOCH_AT = 51;
const BASE_SEQUENCE_AT = 53;
const RECORD_COUNT_AT = 57;
const CODEC_MASK = 0x07;
const CODEC_MAX = 4;
const TIMESTAMP_TYPE_LOG_APPEND = 0x08;
const ATTR_TRANSACTIONAL = 0x10;
const ATTR_CONTROL = 0x20;

function validate(batch: Buffer): BatchHeader {
  if (batch.length < HEADER_BYTES) throw new DomainError('corrupt-batch', `record set of ${batch.length} bytes is shorter than a batch header`);
  const magic = batch.readInt8(MAGIC_AT);
  if (magic !== 2) throw new DomainError('unsupported-batch-format', `record batch magic ${magic}; only magic 2 (RecordBatch v2) is accepted`);
  const size = LOG_OVERHEAD + batch.readInt32BE(8);
  if (size > batch.length) throw new DomainError('corrupt-batch', `batch length says ${size} bytes but ${batch.length} were sent`);
  if (size < batch.length) throw new DomainError('invalid-record', 'a produce request must carry exactly one record batch per partition');
  const crc = batch.readUInt32BE(CRC_AT);
  const actual = crc32c(batch.subarray(CRC_FROM));
  if (crc !== actual) throw new DomainError('corrupt-batch', `batch CRC-32C ${crc} does not match its bytes (${actual})`);
  const attributes = batch.readInt16BE(ATTRIBUTES_AT);
  if ((attributes & CODEC_MASK) > CODEC_MAX) throw new DomainError('corrupt-batch', `unknown compression codec ${attributes & CODEC_MASK}`);
  if ((attributes & ATTR_CONTROL) !== 0) throw new DomainError('invalid-record', 'clients may not produce control batches');
  const lastOffsetDelta = batch.readInt32BE(LAST_OFFSET_DELTA_AT);
  const recordCount = batch.readInt32BE(RECORD_COUNT_AT);
  if (recordCount < 1 || lastOffsetDelta !== recordCount - 1) {
    throw new DomainError('invalid-record', `record count ${recordCount} does not match last offset delta ${lastOffsetDelta}`);
  }
  return {
    lastOffsetDelta,
    recordCount,
    baseTimestamp: batch.readBigInt64BE(BASE_TIMESTAMP_AT),
    maxTimestamp: batch.readBigInt64BE(MAX_TIMESTAMP_AT),
    producerId: batch.readBigInt64BE(PRODUCER_ID_AT),
    producerEpoch: batch.readInt16BE(PRODUCER_EPOCH_AT),
    baseSequence: batch.readInt32BE(BASE_SEQUENCE_AT),
    isTransactional: (attributes & ATTR_TRANSACTIONAL) !== 0,
    isControl: false,
  };
}

/** KIP-32: the broker's time replaces maxTimestamp and the timestamp-type bit is set; the CRC covers both. */
function setLogAppendTime(batch: Buffer, timestampMs: bigint): void {
  batch.writeInt16BE(batch.readInt16BE(ATTRIBUTES_AT) | TIMESTAMP_TYPE_LOG_APPEND, ATTRIBUTES_AT);
  batch.writeBigInt64BE(timestampMs, MAX_TIMESTAMP_AT);
  batch.writeUInt32BE(crc32c(batch.subarray(CRC_FROM)), CRC_AT);
}

export const kafkaBatchInspector: BatchInspector & RecoverableBatchFormat = {
  validate,
  setLogAppendTime,
  // baseOffset is outside the CRC, so rewriting it keeps the client's checksum valid.
  setBaseOffset: (batch, baseOffset) => void batch.writeBigInt64BE(baseOffset, 0),
  recordCount: (batch) => batch.readInt32BE(LAST_OFFSET_DELTA_AT) + 1,
  maxTimestampMs: (batch) => batch.readBigInt64BE(MAX_TIMESTAMP_AT),
};

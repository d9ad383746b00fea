/**
 * Validation of the records a client sends in one Produce v3+ partition, as Kafka's
 * ProduceRequest.validateRecords, ByteBufferLogInputStream and LogValidator do, returning a
 * typed result instead of throwing. Records are never decompressed; for an uncompressed batch
 * the record lengths are walked to check the count (no field is decoded).
 */
import { ErrorCode } from './error-codes';
import { ATTRIBUTES, BATCH, COMPRESSION_CODECS, computeBatchCrc, readBatchHeader, type RecordBatchHeader } from './record-batch';
import { countRecords } from './records';

export type BatchValidation =
  | { readonly ok: true; readonly header: RecordBatchHeader }
  | { readonly ok: false; readonly errorCode: number; readonly message: string };

export interface BatchValidationOptions {
  /** Produce request version (ZStandard needs v7+, KIP-110). */
  readonly produceVersion: number;
  /** Largest batch accepted (Kafka max.message.bytes): larger ones get MESSAGE_TOO_LARGE. */
  readonly batchBytesMax?: number;
}

const ZSTD_ID = COMPRESSION_CODECS.indexOf('zstd');
/** Kafka's smallest legacy record (RECORD_OVERHEAD_V0); a smaller batchLength is corrupt. */
const LEGACY_RECORD_BYTES_MIN = 14;

const fail = (errorCode: number, message: string): BatchValidation => ({ ok: false, errorCode, message });

/** Validates the records blob of one partition of a Produce v3+ request. */
export function validateProducedBatch(records: Buffer | null, options: BatchValidationOptions): BatchValidation {
  if (records === null || records.length < BATCH.logOverheadBytes) {
    return fail(ErrorCode.INVALID_RECORD, 'a produce request must carry one record batch per partition');
  }
  const batchLength = records.readInt32BE(BATCH.batchLengthAt);
  if (batchLength < LEGACY_RECORD_BYTES_MIN) return fail(ErrorCode.CORRUPT_MESSAGE, `batch length ${batchLength} is too small`);
  const size = BATCH.logOverheadBytes + batchLength;
  if (options.batchBytesMax !== undefined && size > options.batchBytesMax) {
    return fail(ErrorCode.MESSAGE_TOO_LARGE, `batch of ${size} bytes exceeds the limit of ${options.batchBytesMax}`);
  }
  if (records.length <= BATCH.magicAt) return fail(ErrorCode.INVALID_RECORD, 'record set ends inside the batch header');
  const magic = records.readInt8(BATCH.magicAt);
  // ByteBufferLogInputStream: a magic outside 0..2 is corrupt; ProduceRequest v3+: only magic 2.
  if (magic < 0 || magic > 2) return fail(ErrorCode.CORRUPT_MESSAGE, `invalid magic ${magic}`);
  if (magic !== 2) return fail(ErrorCode.INVALID_RECORD, `produce v3+ allows only magic 2 batches, not magic ${magic}`);
  if (size > records.length) return fail(ErrorCode.INVALID_RECORD, `batch length says ${size} bytes but ${records.length} were sent`);
  // Kafka ignores trailing bytes shorter than a batch; they would be stored verbatim here, so refuse them.
  if (size < records.length) return fail(ErrorCode.INVALID_RECORD, 'a produce request may carry exactly one record batch per partition');
  if (size < BATCH.headerBytes) return fail(ErrorCode.CORRUPT_MESSAGE, `batch of ${size} bytes is smaller than its ${BATCH.headerBytes}-byte header`);
  const header = readBatchHeader(records);
  if (header.crc !== computeBatchCrc(records)) return fail(ErrorCode.CORRUPT_MESSAGE, 'record batch CRC-32C does not match its bytes');
  return checkHeader(header, records, options);
}

function checkHeader(header: RecordBatchHeader, records: Buffer, options: BatchValidationOptions): BatchValidation {
  if (header.compressionId >= COMPRESSION_CODECS.length) return fail(ErrorCode.CORRUPT_MESSAGE, `unknown compression codec ${header.compressionId}`);
  if (header.compressionId === ZSTD_ID && options.produceVersion < 7) {
    return fail(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE, `produce v${options.produceVersion} may not use ZStandard (KIP-110 needs v7+)`);
  }
  if (header.lastOffsetDelta < 0) return fail(ErrorCode.INVALID_RECORD, `invalid last offset delta ${header.lastOffsetDelta}`);
  if (header.recordCount <= 0) return fail(ErrorCode.INVALID_RECORD, `invalid record count ${header.recordCount}`);
  if (header.lastOffsetDelta !== header.recordCount - 1) {
    return fail(ErrorCode.INVALID_RECORD, `last offset delta ${header.lastOffsetDelta} does not match record count ${header.recordCount}`);
  }
  if (header.isControl) return fail(ErrorCode.INVALID_RECORD, 'clients are not allowed to write control records');
  if (header.producerId >= 0n && header.baseSequence < 0) {
    return fail(ErrorCode.INVALID_RECORD, `invalid sequence ${header.baseSequence} for producer id ${header.producerId}`);
  }
  if ((header.attributes & ATTRIBUTES.compressionMask) === 0) {
    const counted = countRecords(records.subarray(BATCH.headerBytes));
    if (counted !== header.recordCount) {
      return fail(ErrorCode.CORRUPT_MESSAGE, `batch declares ${header.recordCount} records but its bytes hold ${counted ?? 'no whole number of'}`);
    }
  }
  return { ok: true, header };
}

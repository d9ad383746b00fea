/**
 * Kafka RecordBatch v2 on the append path, on the protocol's record-batch functions: Produce
 * v3+ validation (magic 2, one whole batch, CRC-32C, codec, counts; records never
 * decompressed), LogAppendTime stamping with a recomputed CRC, and base-offset rewriting. The
 * protocol answers with Kafka codes; they become domain kinds here so that the one error
 * mapping (error-mapping.ts) stays the only place that picks wire codes.
 */
import { ErrorCode } from '../../protocol/kafka/error-codes';
import { BATCH, maxTimestampOf, setBaseOffset, setLogAppendTime } from '../../protocol/kafka/record-batch';
import { validateProducedBatch } from '../../protocol/kafka/record-batch-validation';
import type { RecoverableBatchFormat } from '../../storage/partition-log';
import { DomainError, DomainErrorKind } from '../errors';
import type { BatchHeader, BatchInspector, BatchOrigin } from '../partitions/batch-inspector';

const KIND_BY_CODE = new Map<number, DomainErrorKind>([
  [ErrorCode.CORRUPT_MESSAGE, 'corrupt-batch'],
  [ErrorCode.INVALID_RECORD, 'invalid-record'],
  [ErrorCode.MESSAGE_TOO_LARGE, 'batch-too-large'],
  [ErrorCode.UNSUPPORTED_COMPRESSION_TYPE, 'unsupported-compression'],
]);

/** Batches appended by something other than a Kafka Produce (the native protocol) count as the newest Produce. */
const NEWEST_PRODUCE_VERSION = 2 ** 15 - 1;

function validate(batch: Buffer, origin?: BatchOrigin): BatchHeader {
  const result = validateProducedBatch(batch, { produceVersion: origin?.produceVersion ?? NEWEST_PRODUCE_VERSION });
  if (!result.ok) throw new DomainError(KIND_BY_CODE.get(result.errorCode) ?? 'invalid-record', result.message);
  // The protocol's header carries every BatchHeader field: handed on as is, no copy per append.
  return result.header;
}

export const kafkaBatchInspector: BatchInspector & RecoverableBatchFormat = {
  validate,
  setLogAppendTime,
  setBaseOffset,
  recordCount: (batch) => batch.readInt32BE(BATCH.lastOffsetDeltaAt) + 1,
  maxTimestampMs: maxTimestampOf,
};

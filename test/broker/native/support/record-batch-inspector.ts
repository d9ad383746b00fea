/**
 * A RecordBatch v2 inspector for native tests that run without the Kafka layer: checks magic and
 * CRC-32C and reads the fixed header (the broker's real inspector does the same and more).
 */
import { crc32c } from '@node-rs/crc32';
import { DomainError } from '../../../../src/broker/errors';
import type { BatchHeader, BatchInspector } from '../../../../src/broker/partitions/batch-inspector';
import type { RecoverableBatchFormat } from '../../../../src/storage/partition-log';

export const testRecordBatchInspector: BatchInspector & RecoverableBatchFormat = {
  setBaseOffset(batch, baseOffset) {
    batch.writeBigInt64BE(baseOffset, 0);
  },
  recordCount(batch) {
    return batch.readInt32BE(23) + 1;
  },
  maxTimestampMs(batch) {
    return batch.readBigInt64BE(35);
  },
  validate(batch): BatchHeader {
    if (batch.length < 61 || batch.readInt8(16) !== 2) throw new DomainError('corrupt-batch', 'not a v2 record batch');
    if ((crc32c(batch.subarray(21)) >>> 0) !== batch.readUInt32BE(17)) throw new DomainError('corrupt-batch', 'CRC mismatch');
    return {
      lastOffsetDelta: batch.readInt32BE(23), recordCount: batch.readInt32BE(57), baseTimestamp: batch.readBigInt64BE(27),
      maxTimestamp: batch.readBigInt64BE(35), producerId: batch.readBigInt64BE(43), producerEpoch: batch.readInt16BE(51),
      baseSequence: batch.readInt32BE(53), isTransactional: (batch.readInt16BE(21) & 0x10) !== 0, isControl: (batch.readInt16BE(21) & 0x20) !== 0,
    };
  },
  setLogAppendTime(batch, timestampMs) {
    batch.writeInt16BE(batch.readInt16BE(21) | 0x08, 21);
    batch.writeBigInt64BE(timestampMs, 35);
    batch.writeUInt32BE(crc32c(batch.subarray(21)) >>> 0, 17);
  },
};

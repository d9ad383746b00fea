/**
 * Stand-in batches for partition-domain unit tests: [8 base offset][4 record count][8 max ts][payload].
 * A first byte of 0xff after the offset marks a corrupt batch.
 */
import { DomainError } from '../../../src/broker/errors';
import type { BatchHeader, BatchInspector } from '../../../src/broker/partitions/batch-inspector';

export function testBatch(recordCount: number, maxTimestamp = 1000n, payloadBytes = 10): Buffer {
  const b = Buffer.alloc(20 + payloadBytes);
  b.writeInt32BE(recordCount, 8);
  b.writeBigInt64BE(maxTimestamp, 12);
  return b;
}

export const testInspector: BatchInspector = {
  setBaseOffset(batch, base) {
    batch.writeBigInt64BE(base, 0);
  },
  validate(batch): BatchHeader {
    if (batch.readInt32BE(8) <= 0) throw new DomainError('corrupt-batch', 'record count must be positive');
    const recordCount = batch.readInt32BE(8);
    return {
      lastOffsetDelta: recordCount - 1, recordCount, baseTimestamp: 0n, maxTimestamp: batch.readBigInt64BE(12),
      producerId: -1n, producerEpoch: -1, baseSequence: -1, isTransactional: false, isControl: false,
    };
  },
  setLogAppendTime(batch, ts) {
    batch.writeBigInt64BE(ts, 12);
  },
};

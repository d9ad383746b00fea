/** Batch headers of idempotent producers for producer-state unit tests. */
import type { BatchHeader } from '../../../src/broker/partitions/batch-inspector';

export function header(producerId: bigint, producerEpoch: number, baseSequence: number, recordCount = 1): BatchHeader {
  return {
    lastOffsetDelta: recordCount - 1, recordCount, baseTimestamp: 0n, maxTimestamp: 0n, producerId, producerEpoch, baseSequence,
    isTransactional: false, isControl: false,
  };
}

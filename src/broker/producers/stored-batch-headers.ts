/**
 * Reads the producer fields of stored Kafka RecordBatch v2 headers (reference §6 offsets) from
 * a chunk of batches read back from a partition log, without touching records or the CRC:
 * rebuilding producer state needs only baseOffset, lastOffsetDelta, producerId, producerEpoch,
 * baseSequence and the control bit.
 */
import type { BatchHeader } from '../partitions/batch-inspector';

const HEADER_BYTES = 61;
const LOG_OVERHEAD = 12;
const ATTR_TRANSACTIONAL = 0x10;
const ATTR_CONTROL = 0x20;

export function* storedBatchHeaders(chunk: Buffer): Iterable<{ baseOffset: bigint; header: BatchHeader }> {
  let at = 0;
  while (at + HEADER_BYTES <= chunk.length) {
    const size = LOG_OVERHEAD + chunk.readInt32BE(at + 8);
    if (size < HEADER_BYTES || at + size > chunk.length) return;
    const attributes = chunk.readInt16BE(at + 21);
    yield {
      baseOffset: chunk.readBigInt64BE(at),
      header: {
        lastOffsetDelta: chunk.readInt32BE(at + 23),
        baseTimestamp: chunk.readBigInt64BE(at + 27),
        maxTimestamp: chunk.readBigInt64BE(at + 35),
        producerId: chunk.readBigInt64BE(at + 43),
        producerEpoch: chunk.readInt16BE(at + 51),
        baseSequence: chunk.readInt32BE(at + 53),
        recordCount: chunk.readInt32BE(at + 57),
        isTransactional: (attributes & ATTR_TRANSACTIONAL) !== 0,
        isControl: (attributes & ATTR_CONTROL) !== 0,
      },
    };
    at += size;
  }
}

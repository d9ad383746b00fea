/**
 * Where a new subscription starts in one partition (docs/native-protocol.md §8 "Initial position"):
 * the log start, the end, a clamped offset, or the first message at or after a timestamp.
 */
import type { InitialPosition } from '../../../protocol/native/messages';
import type { Partition } from '../../partitions/partition';
import { NativeRecordCodec, UndecodableBatchError } from '../record-codec';

export interface PositionRequest {
  initialPosition: InitialPosition;
  positionValue: bigint;
}

/** Bytes read to find a timestamp inside its batch: a batch's first read always returns it whole. */
const TIMESTAMP_READ_BYTES = 1;

export async function initialOffset(partition: Partition, request: PositionRequest, codec: NativeRecordCodec): Promise<bigint> {
  const start = partition.logStartOffset();
  const end = partition.highWatermark();
  switch (request.initialPosition) {
    case 'earliest':
      return start;
    case 'latest':
      return end;
    case 'offset':
      return request.positionValue < start ? start : request.positionValue > end ? end : request.positionValue;
    case 'timestamp': {
      const batchOffset = await partition.offsetForTimestamp(request.positionValue);
      return batchOffset === null ? end : firstAtOrAfter(partition, batchOffset, request.positionValue, codec);
    }
  }
}

/**
 * The log finds the first batch whose maxTimestamp reaches the timestamp; the messages before it
 * in that batch are older, so the subscription starts at the first message of the batch that
 * reaches it. A batch that does not decode keeps the batch's offset: dispatch reports it there.
 */
async function firstAtOrAfter(partition: Partition, batchOffset: bigint, timestampMs: bigint, codec: NativeRecordCodec): Promise<bigint> {
  const { chunks } = await partition.read(batchOffset, TIMESTAMP_READ_BYTES);
  try {
    const messages = await codec.decodeBatches(chunks, 0);
    return messages.find((m) => m.offset >= batchOffset && m.publishTimeMs >= timestampMs)?.offset ?? batchOffset;
  } catch (err) {
    if (err instanceof UndecodableBatchError) return batchOffset;
    throw err;
  }
}

/** Argument checks of the WAL: bad input gets a typed error before anything is assigned or written. */
import { STORAGE_LIMITS } from '../../limits';
import { OffsetOutOfRangeError, StorageError } from '../errors';
import type { RecoverableBatchFormat } from '../partition-log';

export function checkAppend(batch: Buffer, recordCount: number, maxTimestampMs: bigint, format: RecoverableBatchFormat): void {
  if (!Buffer.isBuffer(batch) || batch.length === 0) throw new StorageError('INVALID_BATCH', 'a batch needs at least one byte');
  if (batch.length > STORAGE_LIMITS.batchBytesMax) {
    throw new StorageError('BATCH_TOO_LARGE', `batch of ${batch.length} bytes exceeds ${STORAGE_LIMITS.batchBytesMax}`);
  }
  if (!Number.isSafeInteger(recordCount) || recordCount < 1 || recordCount > 2 ** 31 - 1) {
    throw new StorageError('INVALID_BATCH', `record count ${recordCount} must be an integer from 1 to 2^31-1`);
  }
  let agrees: boolean;
  try {
    agrees = format.recordCount(batch) === recordCount && format.maxTimestampMs(batch) === maxTimestampMs;
  } catch (err) {
    throw new StorageError('INVALID_BATCH', `batch header unreadable: ${(err as Error).message}`, { cause: err });
  }
  if (!agrees) {
    throw new StorageError('INVALID_BATCH', 'record count or max timestamp disagree with the batch header, so recovery would read different values');
  }
}

export function checkOffsetArgument(offset: bigint): void {
  if (typeof offset !== 'bigint') throw new StorageError('INVALID_ARGUMENT', `offset must be a bigint, got ${typeof offset}`);
}

/** `offset` is a bigint in [start, end]; returns `end`. */
export function checkOffsetInRange(offset: bigint, start: bigint, end: bigint): bigint {
  checkOffsetArgument(offset);
  if (offset < start || offset > end) throw new OffsetOutOfRangeError(offset, start, end);
  return end;
}

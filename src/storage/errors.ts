/**
 * Typed storage errors. Each carries a stable `code`; the broker maps codes to Kafka (and
 * native) error codes in one place and never parses messages.
 */

export type StorageErrorCode =
  /** Read below the log start offset or above the high watermark. */
  | 'OFFSET_OUT_OF_RANGE'
  /** A batch larger than STORAGE_LIMITS.batchBytesMax. */
  | 'BATCH_TOO_LARGE'
  /** An empty batch, a record count below 1, or header fields that disagree with the append. */
  | 'INVALID_BATCH'
  /** A bad argument other than a batch: a truncation point that is not a batch boundary, a bad name. */
  | 'INVALID_ARGUMENT'
  /** The log was closed (or is closing). */
  | 'LOG_CLOSED'
  /** Stored bytes fail their checks in a place recovery may not repair on its own. */
  | 'CORRUPT_LOG'
  /** A write or fsync failed; the log refuses further appends until it is reopened. */
  | 'STORAGE_IO'
  /** Too many bytes wait for the group commit (STORAGE_LIMITS.pendingAppendBytesMax). */
  | 'APPEND_QUEUE_FULL';

export class StorageError extends Error {
  constructor(readonly code: StorageErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StorageError';
  }
}

export function isStorageError(err: unknown, code?: StorageErrorCode): err is StorageError {
  return err instanceof StorageError && (code === undefined || err.code === code);
}

export class OffsetOutOfRangeError extends StorageError {
  constructor(readonly offset: bigint, readonly logStartOffset: bigint, readonly highWatermark: bigint) {
    super('OFFSET_OUT_OF_RANGE', `offset ${offset} is outside [${logStartOffset}, ${highWatermark}]`);
    this.name = 'OffsetOutOfRangeError';
  }
}

export class CorruptLogError extends StorageError {
  constructor(readonly file: string, readonly position: number, readonly offset: bigint | null, reason: string) {
    const at = offset === null ? `position ${position}` : `offset ${offset} (position ${position})`;
    super('CORRUPT_LOG', `corrupt log ${file} at ${at}: ${reason}`);
    this.name = 'CorruptLogError';
  }
}

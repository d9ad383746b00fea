/**
 * The partition log: an append-only sequence of opaque batches, each covering a contiguous
 * range of offsets. The log assigns offsets; it never looks inside a batch beyond what the
 * `BatchFormat` tells it. The broker imports this interface, never an implementation.
 */

/** How the log writes an assigned base offset into a batch it stores (Kafka: bytes 0-7). */
export interface BatchFormat {
  setBaseOffset(batch: Buffer, baseOffset: bigint): void;
}

/**
 * What a log that rebuilds its state from stored bytes (the WAL at recovery) reads back from
 * a stored batch: frames carry only base offset and length, so the record count of the last
 * batch and every batch's max timestamp come from the batch header (Kafka RecordBatch v2:
 * lastOffsetDelta + 1 at bytes 23-26, maxTimestamp at bytes 35-42). Header reads only.
 */
export interface RecoverableBatchFormat extends BatchFormat {
  recordCount(batch: Buffer): number;
  maxTimestampMs(batch: Buffer): bigint;
}

export type FsyncPolicy = 'always' | 'interval' | 'never';

export interface AppendInput {
  /** The batch bytes; the log writes the assigned base offset into them via BatchFormat. */
  batch: Buffer;
  /** Offsets the batch covers (Kafka: lastOffsetDelta + 1). At least 1. */
  recordCount: number;
  /** Largest timestamp in the batch, ms since epoch (drives time retention and time lookups). */
  maxTimestampMs: bigint;
}

export interface AppendResult {
  baseOffset: bigint;
  /** Offset after the batch: the new high watermark once durable. */
  nextOffset: bigint;
}

export interface ReadResult {
  /** Whole batches, back to back, in offset order; the first contains the requested offset. */
  chunks: Buffer[];
  bytes: number;
  /** Offset following the last batch returned (equals the requested offset when empty). */
  nextOffset: bigint;
}

export interface PartitionLog {
  /** Resolves once the batch is durable under the log's fsync policy; then it is readable. */
  append(input: AppendInput): Promise<AppendResult>;
  /**
   * Whole batches from the one containing `offset`, up to `maxBytes` but always at least one
   * whole batch when any exists at or after `offset`. Offset == high watermark gives an empty result.
   * Throws OffsetOutOfRangeError below the log start or above the high watermark.
   */
  read(offset: bigint, maxBytes: number): Promise<ReadResult>;
  /** First offset whose batch has maxTimestamp >= timestampMs, or null when none. */
  offsetForTimestamp(timestampMs: bigint): Promise<bigint | null>;
  /** Offset after the last durable (acknowledgeable) batch. */
  highWatermark(): bigint;
  /** First offset still retained. */
  logStartOffset(): bigint;
  /** Drops every batch at or after `offset` (which must be a batch boundary). */
  truncate(offset: bigint): Promise<void>;
  close(): Promise<void>;
}

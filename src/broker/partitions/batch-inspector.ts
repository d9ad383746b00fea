/**
 * What the partition domain needs to know about a batch, without depending on a wire codec:
 * the Kafka layer supplies an inspector built on the protocol's record-batch functions, tests
 * may supply their own. Batches are never decoded beyond their fixed header.
 */
import type { BatchFormat } from '../../storage/partition-log';

export interface BatchHeader {
  /** Offsets the batch covers minus one (Kafka lastOffsetDelta). */
  lastOffsetDelta: number;
  recordCount: number;
  baseTimestamp: bigint;
  maxTimestamp: bigint;
  producerId: bigint;
  producerEpoch: number;
  baseSequence: number;
  isTransactional: boolean;
  isControl: boolean;
}

/** Where a batch comes from, for checks that depend on it (ZStandard needs Produce v7+, KIP-110). */
export interface BatchOrigin {
  produceVersion?: number;
}

export interface BatchInspector extends BatchFormat {
  /** Checks one batch (magic, sizes, CRC, record count) and returns its header; throws a DomainError. */
  validate(batch: Buffer, origin?: BatchOrigin): BatchHeader;
  /** Stamps LogAppendTime (attributes bit 3, maxTimestamp) and recomputes the CRC, in place. */
  setLogAppendTime(batch: Buffer, timestampMs: bigint): void;
}

/**
 * Stand-in batches for storage tests: [8 base offset][4 record count][8 max timestamp][payload],
 * big-endian, laid out so the log can read back what it needs as from a Kafka batch header.
 */
import type { RecoverableBatchFormat } from '../../../src/storage/partition-log';

export const TEST_BATCH_HEADER_BYTES = 20;

export const testBatchFormat: RecoverableBatchFormat = {
  setBaseOffset(batch, baseOffset) {
    batch.writeBigInt64BE(baseOffset, 0);
  },
  recordCount(batch) {
    return batch.readInt32BE(8);
  },
  maxTimestampMs(batch) {
    return batch.readBigInt64BE(12);
  },
};

export interface TestBatchSpec {
  recordCount?: number;
  maxTimestampMs?: bigint;
  /** The payload, or its size (filled with a pattern derived from `seed`). */
  payload?: Buffer | number;
  seed?: number;
}

export function testBatch(spec: TestBatchSpec = {}): Buffer {
  const recordCount = spec.recordCount ?? 1;
  const payload = typeof spec.payload === 'object' ? spec.payload : patternBytes(spec.payload ?? 32, spec.seed ?? 0);
  const batch = Buffer.alloc(TEST_BATCH_HEADER_BYTES + payload.length);
  batch.writeBigInt64BE(-1n, 0);
  batch.writeInt32BE(recordCount, 8);
  batch.writeBigInt64BE(spec.maxTimestampMs ?? 1000n, 12);
  payload.copy(batch, TEST_BATCH_HEADER_BYTES);
  return batch;
}

/** The append input for a test batch. */
export function testAppend(spec: TestBatchSpec = {}): { batch: Buffer; recordCount: number; maxTimestampMs: bigint } {
  const batch = testBatch(spec);
  return { batch, recordCount: testBatchFormat.recordCount(batch), maxTimestampMs: testBatchFormat.maxTimestampMs(batch) };
}

export function patternBytes(size: number, seed: number): Buffer {
  const b = Buffer.allocUnsafe(size);
  let x = (seed * 2654435761 + 1) >>> 0;
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
}

/** The base offset stored in a batch. */
export function storedBaseOffset(batch: Buffer): bigint {
  return batch.readBigInt64BE(0);
}

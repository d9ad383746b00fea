/** The batches of the crash test: content fully determined by (run, seq), both stored in the payload. */
import { patternBytes, testBatch, TEST_BATCH_HEADER_BYTES } from '../support/test-batch-format';

export function crashBatch(run: number, seq: number): Buffer {
  const size = 8 + ((run * 7919 + seq * 104729) % 1500);
  const payload = patternBytes(size, run * 1_000_003 + seq);
  payload.writeUInt32BE(run, 0);
  payload.writeUInt32BE(seq, 4);
  return testBatch({ recordCount: 1 + (seq % 4), maxTimestampMs: BigInt(seq), payload });
}

/** The (run, seq) a stored crash batch claims to be. */
export function crashBatchId(batch: Buffer): { run: number; seq: number } {
  return { run: batch.readUInt32BE(TEST_BATCH_HEADER_BYTES), seq: batch.readUInt32BE(TEST_BATCH_HEADER_BYTES + 4) };
}

/** Batches for tier tests: opaque bytes with offsets, like the WAL hands them over. */
import { randomBytes } from 'node:crypto';
import type { PartitionUpload, TierBatch } from '../../../src/storage/tier/object-format';

export function batchesFrom(baseOffset: bigint, count: number, bytes = 100, recordsPerBatch = 3): TierBatch[] {
  const out: TierBatch[] = [];
  let offset = baseOffset;
  for (let i = 0; i < count; i++) {
    const next = offset + BigInt(recordsPerBatch);
    out.push({ baseOffset: offset, nextOffset: next, maxTimestampMs: 1_000_000n + offset, batch: randomBytes(bytes) });
    offset = next;
  }
  return out;
}

export function upload(topic: string, partition: number, baseOffset: bigint, count: number, bytes = 100): PartitionUpload {
  return { topic, partition, leaderEpoch: 3, batches: batchesFrom(baseOffset, count, bytes) };
}

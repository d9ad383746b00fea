/**
 * An in-memory local log for unit tests of the tier, which sits on the PartitionLog interface.
 * Batches: [u64 baseOffset][u32 recordCount][i64 maxTimestampMs][payload]. `dropBelow`
 * plays local retention. The tiered log's contract run uses the real WAL instead.
 */
import { randomBytes } from 'node:crypto';
import { OffsetOutOfRangeError } from '../../../src/storage/errors';
import type { AppendInput, AppendResult, PartitionLog, ReadResult } from '../../../src/storage/partition-log';
import type { BatchHeaderReader } from '../../../src/storage/tier/uploader';

export const fakeFormat: BatchHeaderReader & { setBaseOffset(batch: Buffer, base: bigint): void } = {
  setBaseOffset: (batch, base) => { batch.writeBigInt64BE(base, 0); },
  recordCount: (batch) => batch.readUInt32BE(8),
  maxTimestampMs: (batch) => batch.readBigInt64BE(12),
};

export function fakeBatch(recordCount: number, maxTimestampMs: bigint, payloadBytes = 50): AppendInput {
  const batch = Buffer.concat([Buffer.alloc(20), randomBytes(payloadBytes)]);
  batch.writeUInt32BE(recordCount, 8);
  batch.writeBigInt64BE(maxTimestampMs, 12);
  return { batch, recordCount, maxTimestampMs };
}

export class FakeLocalLog implements PartitionLog {
  batches: Array<{ base: bigint; next: bigint; bytes: Buffer; maxTimestampMs: bigint }> = [];
  private start: bigint;
  private end: bigint;

  constructor(startOffset = 0n) {
    this.start = startOffset;
    this.end = startOffset;
  }

  async append(input: AppendInput): Promise<AppendResult> {
    const base = this.end;
    fakeFormat.setBaseOffset(input.batch, base);
    this.end += BigInt(input.recordCount);
    this.batches.push({ base, next: this.end, bytes: input.batch, maxTimestampMs: input.maxTimestampMs });
    return { baseOffset: base, nextOffset: this.end };
  }

  async read(offset: bigint, maxBytes: number): Promise<ReadResult> {
    if (offset < this.start || offset > this.end) throw new OffsetOutOfRangeError(offset, this.start, this.end);
    const chunks: Buffer[] = [];
    let bytes = 0;
    let next = offset;
    for (const b of this.batches) {
      if (b.next <= offset) continue;
      if (chunks.length > 0 && bytes + b.bytes.length > maxBytes) break;
      chunks.push(b.bytes);
      bytes += b.bytes.length;
      next = b.next;
    }
    return { chunks, bytes, nextOffset: next };
  }

  async offsetForTimestamp(ts: bigint): Promise<bigint | null> {
    return this.batches.find((b) => b.maxTimestampMs >= ts)?.base ?? null;
  }

  highWatermark(): bigint {
    return this.end;
  }

  logStartOffset(): bigint {
    return this.start;
  }

  /** Local retention: forget whole batches below `offset`. */
  dropBelow(offset: bigint): void {
    this.batches = this.batches.filter((b) => b.next > offset);
    this.start = this.batches[0]?.base ?? this.end;
  }

  async truncate(offset: bigint): Promise<void> {
    this.batches = this.batches.filter((b) => b.base < offset);
    this.end = offset;
  }

  async close(): Promise<void> {}
}

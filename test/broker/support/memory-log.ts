/**
 * An in-memory PartitionLog for unit tests of the partition domain (which sits on the
 * PartitionLog interface). Batches are 8-byte base offset + 4-byte count + payload.
 */
import type { AppendInput, AppendResult, BatchFormat, PartitionLog, ReadResult } from '../../../src/storage/partition-log';

export class MemoryLog implements PartitionLog {
  readonly batches: Array<{ base: bigint; next: bigint; bytes: Buffer; maxTimestampMs: bigint }> = [];
  private end = 0n;
  /** Appends resolve only when released, to test "durable before acknowledged". */
  holdAppends = false;
  private held: Array<() => void> = [];

  constructor(private readonly format: BatchFormat) {}

  async append(input: AppendInput): Promise<AppendResult> {
    const base = this.end;
    this.end += BigInt(input.recordCount);
    this.format.setBaseOffset(input.batch, base);
    if (this.holdAppends) await new Promise<void>((resolve) => this.held.push(resolve));
    this.batches.push({ base, next: base + BigInt(input.recordCount), bytes: input.batch, maxTimestampMs: input.maxTimestampMs });
    return { baseOffset: base, nextOffset: base + BigInt(input.recordCount) };
  }

  release(): void {
    for (const r of this.held.splice(0)) r();
  }

  async read(offset: bigint, maxBytes: number): Promise<ReadResult> {
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
    return this.batches.length === 0 ? 0n : this.batches[this.batches.length - 1].next;
  }

  logStartOffset(): bigint {
    return 0n;
  }

  async truncate(): Promise<void> {
    throw new Error('not used by these tests');
  }

  async close(): Promise<void> {}
}

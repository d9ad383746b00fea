/**
 * Read-ahead for consumers that are behind: when a read returns batches and more are already
 * durable after them, the next read (same size, from where this one ended) starts at once, so
 * it runs while the client parses the reply instead of after its next Fetch arrives. librdkafka
 * keeps one Fetch in flight per broker and parses a whole reply before sending the next, so a
 * catching-up consumer otherwise waits for every cold segment read in turn (docs/broker.md).
 *
 * Stored batches below the high watermark never change while the partition stays open (the
 * broker never truncates an open partition), so a read made ahead is as good as one made later.
 * The memory held is bounded: a few reads per partition, a byte budget for the whole broker
 * (counted at the requested size until the read resolves), and an entry nobody asks for is
 * dropped after a short idle time.
 */
import { KAFKA_BROKER_LIMITS } from '../../limits';
import type { ReadResult } from '../../storage/partition-log';

interface Ahead {
  readonly maxBytes: number;
  /** The high watermark when the read started: the read stops there. */
  readonly highWatermark: bigint;
  readonly timer: NodeJS.Timeout;
  /** Bytes charged to the broker-wide budget: the requested size, then the size read; 0 once dropped. */
  charged: number;
  /** Null when the read failed. */
  result?: Promise<ReadResult | null>;
}

/** Bytes held by every partition's read-ahead together. */
let heldBytes = 0;

export class ReadAhead {
  private readonly entries = new Map<bigint, Ahead>();

  constructor(
    private readonly read: (offset: bigint, maxBytes: number) => Promise<ReadResult>,
    private readonly highWatermark: () => bigint,
  ) {}

  /**
   * The read made ahead for exactly this offset and size, or null (then read as usual). Also
   * null when that read stopped at the high watermark of its time and more is durable now: a
   * read made now would return more, and a Fetch with min_bytes must not park on less.
   */
  take(offset: bigint, maxBytes: number): Promise<ReadResult | null> | null {
    const entry = this.entries.get(offset);
    if (!entry?.result || entry.maxBytes !== maxBytes) return null;
    this.drop(offset, entry);
    return entry.result.then((r) => (r !== null && r.nextOffset === entry.highWatermark && this.highWatermark() > entry.highWatermark ? null : r));
  }

  /** After a read that ended at `nextOffset`: start the next one when more is durable than that. */
  after(result: ReadResult, maxBytes: number): void {
    const offset = result.nextOffset;
    const highWatermark = this.highWatermark();
    if (result.chunks.length === 0 || offset >= highWatermark || this.entries.has(offset)) return;
    if (this.entries.size >= KAFKA_BROKER_LIMITS.readAheadsPerPartitionMax) return;
    if (heldBytes + maxBytes > KAFKA_BROKER_LIMITS.readAheadBytesMax) return;
    heldBytes += maxBytes;
    const timer = setTimeout(() => this.expire(offset), KAFKA_BROKER_LIMITS.readAheadIdleMs);
    timer.unref();
    const entry: Ahead = { maxBytes, highWatermark, timer, charged: maxBytes };
    // A failed read ahead is forgotten: the consumer's own read then reports the failure.
    entry.result = this.read(offset, maxBytes).then(
      (r) => {
        this.recharge(entry, r.bytes);
        return r;
      },
      () => {
        this.recharge(entry, 0);
        return null;
      },
    );
    this.entries.set(offset, entry);
  }

  /** The partition closes: nothing read ahead is served any more. */
  clear(): void {
    for (const [offset, entry] of this.entries) this.drop(offset, entry);
  }

  private expire(offset: bigint): void {
    const entry = this.entries.get(offset);
    if (entry) this.drop(offset, entry);
  }

  /** Once resolved, an entry still held counts its real size. */
  private recharge(entry: Ahead, bytes: number): void {
    if (entry.charged === 0) return;
    heldBytes += bytes - entry.charged;
    entry.charged = bytes;
  }

  private drop(offset: bigint, entry: Ahead): void {
    clearTimeout(entry.timer);
    this.entries.delete(offset);
    heldBytes -= entry.charged;
    entry.charged = 0;
  }
}

/** Bytes held by read-ahead across the broker (for tests and metrics). */
export function readAheadHeldBytes(): number {
  return heldBytes;
}

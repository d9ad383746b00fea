/**
 * One bytes-bounded cache of recent batches shared by every partition of a broker, so reads at
 * the tail (consumers keeping up) never touch the disk. Each log owns a slot holding its most
 * recent visible batches, contiguous and in offset order; when the cache is over its budget the
 * batches inserted first (across all slots) are evicted first.
 *
 * A slot takes batches only while its partition has readers (a read within readerIdleMs):
 * batches nobody reads at the tail would only cost memory, allocation churn and GC (measured:
 * a third to a half of the CPU of a 16 KiB append on this machine), and a reader that starts later reads
 * the few batches before its first cached one from the segment files.
 */
import { STORAGE_LIMITS } from '../limits';

interface CachedBatch {
  baseOffset: bigint;
  nextOffset: bigint;
  batch: Buffer;
  slot: CacheSlot;
  dropped: boolean;
}

export class TailCache {
  private readonly order: CachedBatch[] = [];
  private orderHead = 0;
  private bytes = 0;

  constructor(readonly bytesMax: number, readonly readerIdleMs: number = STORAGE_LIMITS.tailCacheReaderIdleMs) {}

  get usedBytes(): number {
    return this.bytes;
  }

  slot(): CacheSlot {
    return new CacheSlot(this);
  }

  /** @internal Called by a slot. */
  add(entry: CachedBatch): void {
    this.order.push(entry);
    this.bytes += entry.batch.length;
    while (this.bytes > this.bytesMax && this.orderHead < this.order.length) this.evictOldest();
    if (this.orderHead > 1024 && this.orderHead * 2 > this.order.length) {
      this.order.splice(0, this.orderHead);
      this.orderHead = 0;
    }
  }

  /** @internal Called by a slot when it drops entries itself. */
  forget(entry: CachedBatch): void {
    if (entry.dropped) return;
    entry.dropped = true;
    this.bytes -= entry.batch.length;
  }

  private evictOldest(): void {
    const entry = this.order[this.orderHead];
    this.order[this.orderHead++] = undefined as unknown as CachedBatch;
    if (entry.dropped) return;
    entry.slot.evictFirst(entry);
  }
}

export class CacheSlot {
  private entries: CachedBatch[] = [];
  private head = 0;
  private lastReadMs = -Infinity;

  constructor(private readonly cache: TailCache) {}

  /** A reader read this partition (at any offset) at `nowMs`. */
  noteReader(nowMs: number): void {
    this.lastReadMs = nowMs;
  }

  /** Adds the batch following the slot's last one (a gap empties the slot first); skipped while no one reads. */
  append(baseOffset: bigint, nextOffset: bigint, batch: Buffer, nowMs: number): void {
    if (this.cache.bytesMax <= 0 || batch.length > this.cache.bytesMax) return;
    if (nowMs - this.lastReadMs > this.cache.readerIdleMs) {
      if (this.head < this.entries.length) this.clear();
      return;
    }
    const last = this.entries[this.entries.length - 1];
    if (this.head < this.entries.length && last.nextOffset !== baseOffset) this.clear();
    const entry: CachedBatch = { baseOffset, nextOffset, batch: ownMemory(batch), slot: this, dropped: false };
    this.entries.push(entry);
    this.cache.add(entry);
  }

  /** The cached batches from the one containing `offset`, or null when it is not cached. */
  read(offset: bigint, maxBytes: number, endOffset: bigint): { chunks: Buffer[]; bytes: number; nextOffset: bigint } | null {
    const i = this.indexOf(offset);
    if (i < 0) return null;
    const chunks: Buffer[] = [];
    let bytes = 0;
    let nextOffset = offset;
    for (let j = i; j < this.entries.length; j++) {
      const e = this.entries[j];
      if (e.baseOffset >= endOffset) break;
      if (chunks.length > 0 && bytes + e.batch.length > maxBytes) break;
      chunks.push(e.batch);
      bytes += e.batch.length;
      nextOffset = e.nextOffset;
    }
    return { chunks, bytes, nextOffset };
  }

  /** Drops cached batches at or after `offset` (log truncation). */
  dropFrom(offset: bigint): void {
    while (this.entries.length > this.head && this.entries[this.entries.length - 1].nextOffset > offset) {
      this.cache.forget(this.entries.pop()!);
    }
  }

  /** Drops cached batches wholly below `offset` (retention). */
  dropBelow(offset: bigint): void {
    while (this.head < this.entries.length && this.entries[this.head].nextOffset <= offset) {
      this.cache.forget(this.entries[this.head++]);
    }
    this.compact();
  }

  clear(): void {
    for (let j = this.head; j < this.entries.length; j++) this.cache.forget(this.entries[j]);
    this.entries = [];
    this.head = 0;
  }

  /** @internal The cache evicts this slot's oldest entry. */
  evictFirst(entry: CachedBatch): void {
    if (this.entries[this.head] === entry) this.head++;
    this.cache.forget(entry);
    this.compact();
  }

  private indexOf(offset: bigint): number {
    let lo = this.head;
    let hi = this.entries.length;
    if (lo >= hi || offset < this.entries[lo].baseOffset) return -1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.entries[mid].baseOffset <= offset) lo = mid + 1;
      else hi = mid;
    }
    const i = lo - 1;
    return offset < this.entries[i].nextOffset ? i : -1;
  }

  private compact(): void {
    if (this.head > 256 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
  }
}

/**
 * The batch itself when it owns its memory, else an exact copy: a batch that is a view into a
 * larger buffer (a socket chunk holding many requests) would keep all of it alive, and the
 * cache's byte budget would no longer bound its memory.
 */
function ownMemory(batch: Buffer): Buffer {
  if (batch.buffer.byteLength <= batch.length * 2) return batch;
  const copy = Buffer.allocUnsafeSlow(batch.length);
  batch.copy(copy);
  return copy;
}

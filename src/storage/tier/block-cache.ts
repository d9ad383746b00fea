/**
 * Blocks fetched from object storage, shared by all partitions and bounded in bytes
 * (TIER_LIMITS.blockCacheBytesMax), least recently used first out. A block being fetched is
 * cached as its promise, so a prefetch and the read that needs it share one request.
 */
import { TIER_LIMITS } from '../../limits';
import type { ObjectStore } from '../objects/object-store';
import type { BlockEntry } from './object-index';

export class BlockCache {
  private readonly entries = new Map<string, { promise: Promise<Buffer>; bytes: number }>();
  private bytes = 0;
  fetches = 0;

  constructor(private readonly objects: ObjectStore, private readonly bytesMax: number = TIER_LIMITS.blockCacheBytesMax) {}

  load(objectKey: string, block: BlockEntry): Promise<Buffer> {
    const id = `${objectKey}@${block.position}`;
    const hit = this.entries.get(id);
    if (hit) {
      this.entries.delete(id);
      this.entries.set(id, hit);
      return hit.promise;
    }
    this.fetches += 1;
    const promise = this.objects.get(objectKey, { offset: block.position, length: block.bytes });
    const entry = { promise, bytes: block.bytes };
    this.entries.set(id, entry);
    this.bytes += block.bytes;
    // A failed fetch must not stay cached: the next read retries it.
    promise.catch(() => this.forget(id, entry));
    this.evict();
    return promise;
  }

  /** Starts fetching a block nobody waits for yet (read-ahead); errors surface on the real read. */
  prefetch(objectKey: string, block: BlockEntry): void {
    if (this.bytes + block.bytes > this.bytesMax) return;
    this.load(objectKey, block).catch(() => undefined);
  }

  private forget(id: string, entry: { bytes: number }): void {
    if (this.entries.get(id) === entry) {
      this.entries.delete(id);
      this.bytes -= entry.bytes;
    }
  }

  private evict(): void {
    for (const [id, entry] of this.entries) {
      if (this.bytes <= this.bytesMax || this.entries.size <= 1) return;
      this.entries.delete(id);
      this.bytes -= entry.bytes;
    }
  }
}

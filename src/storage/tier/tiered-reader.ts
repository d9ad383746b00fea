/**
 * Reads a partition's batches back from object storage through the tier index: block by
 * block (range reads located by the footer index), each frame's CRC checked, the following
 * blocks prefetched in the background so a consumer replaying history is not stalled by one
 * request per batch. Offsets outside a view entry's [from, to) are skipped, so superseded
 * or expired batches never come back.
 */
import { TIER_LIMITS } from '../../limits';
import type { ReadResult } from '../partition-log';
import { BlockCache } from './block-cache';
import type { BlockEntry } from './object-index';
import { decodeBlock } from './object-format';
import { TierIndex, ViewEntry } from './tier-index';

interface BlockRef {
  entry: ViewEntry;
  block: BlockEntry;
}

export class TieredReader {
  constructor(
    private readonly index: TierIndex,
    private readonly cache: BlockCache,
    private readonly prefetchBlocks: number = TIER_LIMITS.prefetchBlocks,
  ) {}

  /** Batches from the one containing `offset`, or null when object storage holds nothing at or after it. */
  async read(topic: string, partition: number, offset: bigint, maxBytes: number): Promise<ReadResult | null> {
    const refs = this.blocksFrom(this.index.view(topic, partition), offset);
    if (refs.length === 0) return null;
    const chunks: Buffer[] = [];
    let bytes = 0;
    let next = offset;
    for (let i = 0; i < refs.length; i++) {
      const { entry, block } = refs[i];
      for (const ahead of refs.slice(i + 1, i + 1 + this.prefetchBlocks)) this.cache.prefetch(ahead.entry.objectKey, ahead.block);
      const data = await this.cache.load(entry.objectKey, block);
      for (const batch of decodeBlock(data, block, entry.objectKey)) {
        if (batch.nextOffset <= next || batch.nextOffset <= entry.from || batch.baseOffset >= entry.to) continue;
        if (chunks.length > 0 && bytes + batch.batch.length > maxBytes) return { chunks, bytes, nextOffset: next };
        chunks.push(batch.batch);
        bytes += batch.batch.length;
        next = batch.nextOffset;
      }
      if (bytes >= maxBytes) break;
    }
    return { chunks, bytes, nextOffset: next };
  }

  /** Every block of the view that holds offsets at or after `offset`, in order. */
  private blocksFrom(view: ViewEntry[], offset: bigint): BlockRef[] {
    const out: BlockRef[] = [];
    for (const entry of view) {
      if (entry.to <= offset) continue;
      for (const block of entry.range.blocks) {
        if (block.endOffset <= offset || block.endOffset <= entry.from || block.baseOffset >= entry.to) continue;
        out.push({ entry, block });
      }
    }
    return out;
  }
}

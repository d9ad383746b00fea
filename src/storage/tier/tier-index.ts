/**
 * The tier's view of every partition: which object ranges make up its log in object storage.
 * Built from the descriptors at startup and kept current by the uploader and retention.
 *
 * Resolution (the "log's view"): ranges are applied in leader-epoch order, then by base
 * offset; a range cuts off whatever the view held at or after its base. So a newer leader's
 * upload supersedes an old owner's divergent tail, and a range recorded twice (an in-doubt
 * write resolved both ways) appears once. A cut (the log truncated below its uploaded end)
 * clips every range recorded before it. Store revisions order recordings and cuts, so
 * broker clocks play no part. The cloud log start then trims the front.
 */
import type { ObjectRange } from './object-index';
import type { ObjectDescriptor } from './descriptor';

export interface ViewEntry {
  objectKey: string;
  range: ObjectRange;
  /** The part of the range that belongs to the log: [from, to). */
  from: bigint;
  to: bigint;
}

interface PartitionTier {
  ranges: Array<{ objectKey: string; revision: bigint; range: ObjectRange }>;
  cuts: Array<{ offset: bigint; revision: bigint }>;
  logStartOffset: bigint;
  view: ViewEntry[] | null;
}

export function partitionId(topic: string, partition: number): string {
  return `${topic}/${partition}`;
}

export class TierIndex {
  private readonly partitions = new Map<string, PartitionTier>();
  private readonly objects = new Map<string, ObjectDescriptor>();
  private readonly removed = new Set<string>();

  /** `revision`: the store revision that recorded the descriptor. Adding a known object again changes nothing. */
  add(descriptor: ObjectDescriptor, revision: bigint): void {
    if (this.objects.has(descriptor.key) || this.removed.has(descriptor.key)) return;
    this.objects.set(descriptor.key, descriptor);
    for (const range of descriptor.ranges) {
      const tier = this.tierOf(range.topic, range.partition);
      tier.ranges.push({ objectKey: descriptor.key, revision, range });
      tier.view = null;
    }
  }

  /**
   * Forgets an object. Until `settled` (its descriptor's delete seen by the store watch), a late
   * event of its creation cannot bring it back.
   */
  remove(objectKey: string, settled = false): void {
    if (settled) this.removed.delete(objectKey);
    else this.removed.add(objectKey);
    const descriptor = this.objects.get(objectKey);
    if (!descriptor) return;
    this.objects.delete(objectKey);
    for (const range of descriptor.ranges) {
      const tier = this.tierOf(range.topic, range.partition);
      tier.ranges = tier.ranges.filter((r) => r.objectKey !== objectKey);
      tier.view = null;
    }
  }

  descriptors(): ObjectDescriptor[] {
    return [...this.objects.values()];
  }

  partitionIds(): string[] {
    return [...this.partitions.keys()];
  }

  /** Every range recorded before `revision` ends at `offset` at the latest (a truncation). */
  addCut(topic: string, partition: number, offset: bigint, revision: bigint): void {
    const tier = this.tierOf(topic, partition);
    if (tier.cuts.some((c) => c.revision === revision)) return;
    tier.cuts.push({ offset, revision });
    tier.view = null;
  }

  /** Raises the cloud log start (retention); never lowers it. */
  setLogStartOffset(topic: string, partition: number, offset: bigint): void {
    const tier = this.tierOf(topic, partition);
    if (offset > tier.logStartOffset) {
      tier.logStartOffset = offset;
      tier.view = null;
    }
  }

  view(topic: string, partition: number): ViewEntry[] {
    const tier = this.partitions.get(partitionId(topic, partition));
    if (!tier) return [];
    tier.view ??= resolveView(tier);
    return tier.view;
  }

  /** First offset held in object storage, or null when the partition has nothing there. */
  logStartOffset(topic: string, partition: number): bigint | null {
    const view = this.view(topic, partition);
    return view.length === 0 ? null : view[0].from;
  }

  /** Offset after the last batch in object storage, or null when nothing is there. */
  endOffset(topic: string, partition: number): bigint | null {
    const view = this.view(topic, partition);
    return view.length === 0 ? null : view[view.length - 1].to;
  }

  /** The retention floor recorded for the partition (0 when never advanced). */
  retainedFrom(topic: string, partition: number): bigint {
    return this.partitions.get(partitionId(topic, partition))?.logStartOffset ?? 0n;
  }

  /** The view entry holding `offset`, or the first one after it (offsets may jump over a gap). */
  entryAt(topic: string, partition: number, offset: bigint): ViewEntry | null {
    for (const entry of this.view(topic, partition)) {
      if (entry.to > offset) return entry;
    }
    return null;
  }

  private tierOf(topic: string, partition: number): PartitionTier {
    const id = partitionId(topic, partition);
    let tier = this.partitions.get(id);
    if (!tier) {
      tier = { ranges: [], cuts: [], logStartOffset: 0n, view: null };
      this.partitions.set(id, tier);
    }
    return tier;
  }
}

function resolveView(tier: PartitionTier): ViewEntry[] {
  const ordered = [...tier.ranges].sort((a, b) =>
    a.range.leaderEpoch - b.range.leaderEpoch || compare(a.range.baseOffset, b.range.baseOffset) || compare(a.revision, b.revision));
  let view: ViewEntry[] = [];
  for (const { objectKey, range, revision } of ordered) {
    const cutAt = tier.cuts.filter((c) => c.revision > revision).reduce((m, c) => (c.offset < m ? c.offset : m), range.endOffset);
    view = view.filter((e) => e.from < range.baseOffset);
    for (const e of view) if (e.to > range.baseOffset) e.to = range.baseOffset;
    if (cutAt > range.baseOffset) view.push({ objectKey, range, from: range.baseOffset, to: cutAt });
  }
  view.sort((a, b) => compare(a.from, b.from));
  return view
    .filter((e) => e.to > tier.logStartOffset)
    .map((e) => (e.from < tier.logStartOffset ? { ...e, from: tier.logStartOffset } : e));
}

function compare(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

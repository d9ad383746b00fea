/**
 * Runs delivered whole (Exclusive and Failover first deliveries) and not yet fully acked: one
 * entry per run instead of one per message. Each partition's runs are kept in offset order, which
 * is also their delivery order (first deliveries of a partition leave in offset order), so the
 * oldest run of a partition is its first one and the run holding an offset is found by binary
 * search. A removed run is only marked (live false) and dropped when the live ones move past it, or
 * in one sweep once dead entries outnumber live ones, so acks in any order cost O(log n) amortized.
 */
import type { StoredRun } from './types';

export interface DeliveredRun extends StoredRun {
  consumerId: string;
  deliveredAtMs: number;
  /** Offsets of first..last not acked yet. */
  pending: number;
  /** False once removed (acked, redelivered or handed over). */
  live: boolean;
}

/** Dead entries tolerated before a sweep, besides as many as there are live ones. */
const SWEEP_AFTER_DEAD = 1024;

class PartitionRuns {
  items: DeliveredRun[] = [];
  head = 0;
  dead = 0;

  /** Drops dead entries at the front, and sweeps them all when they outnumber the live ones. */
  tidy(): void {
    while (this.head < this.items.length && !this.items[this.head].live) {
      this.head++;
      this.dead--;
    }
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
      this.dead = 0;
    } else if (this.dead + this.head > SWEEP_AFTER_DEAD && this.dead + this.head > this.items.length - this.head - this.dead) {
      this.items = this.items.filter((run, i) => i >= this.head && run.live);
      this.head = 0;
      this.dead = 0;
    }
  }
}

export class DeliveredRuns {
  private readonly partitions = new Map<number, PartitionRuns>();
  private live = 0;

  /** Live runs. */
  get size(): number {
    return this.live;
  }

  /** A run delivered after every run of its partition already here. */
  add(run: DeliveredRun): void {
    let runs = this.partitions.get(run.partition);
    if (runs === undefined) {
      runs = new PartitionRuns();
      this.partitions.set(run.partition, runs);
    }
    runs.items.push(run);
    this.live++;
  }

  /** The live run holding `offset`, if any. */
  find(partition: number, offset: bigint): DeliveredRun | undefined {
    if (this.live === 0) return undefined;
    const runs = this.partitions.get(partition);
    if (runs === undefined) return undefined;
    const { items } = runs;
    let lo = runs.head;
    let hi = items.length;
    // The last run starting at or before the offset.
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (items[mid].first <= offset) lo = mid + 1;
      else hi = mid;
    }
    const run = lo > runs.head ? items[lo - 1] : undefined;
    return run !== undefined && run.live && run.last >= offset ? run : undefined;
  }

  remove(run: DeliveredRun): void {
    if (!run.live) return;
    run.live = false;
    this.live--;
    const runs = this.partitions.get(run.partition)!;
    runs.dead++;
    runs.tidy();
  }

  /** Inserts `right` just after `left`, its neighbour in offset order (a run split in two). */
  insertAfter(left: DeliveredRun, right: DeliveredRun): void {
    const runs = this.partitions.get(left.partition)!;
    runs.items.splice(runs.items.indexOf(left, runs.head) + 1, 0, right);
    this.live++;
  }

  /** Live runs of `partition` starting at or below `offset`, in offset order (a snapshot). */
  startingUpTo(partition: number, offset: bigint): DeliveredRun[] {
    const runs = this.partitions.get(partition);
    const out: DeliveredRun[] = [];
    if (runs === undefined) return out;
    for (let i = runs.head; i < runs.items.length && runs.items[i].first <= offset; i++) {
      if (runs.items[i].live) out.push(runs.items[i]);
    }
    return out;
  }

  /** Live runs delivered at or before `deliveredAtMs` (oldest first per partition; a snapshot). */
  deliveredBy(deliveredAtMs: number): DeliveredRun[] {
    const out: DeliveredRun[] = [];
    if (this.live === 0) return out;
    for (const runs of this.partitions.values()) {
      for (let i = runs.head; i < runs.items.length && runs.items[i].deliveredAtMs <= deliveredAtMs; i++) {
        if (runs.items[i].live) out.push(runs.items[i]);
      }
    }
    return out;
  }

  /** Live runs of one consumer, in (partition, offset) order (a snapshot). */
  ofConsumer(consumerId: string): DeliveredRun[] {
    const out: DeliveredRun[] = [];
    if (this.live === 0) return out;
    for (const partition of [...this.partitions.keys()].sort((a, b) => a - b)) {
      const runs = this.partitions.get(partition)!;
      for (let i = runs.head; i < runs.items.length; i++) {
        const run = runs.items[i];
        if (run.live && run.consumerId === consumerId) out.push(run);
      }
    }
    return out;
  }
}

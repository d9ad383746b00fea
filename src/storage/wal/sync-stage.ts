/**
 * fsync `always`: the sync stage of one log, beside its write stage. Frames are written while
 * fdatasyncs run, and an fdatasync covers every frame whose write had completed when it started;
 * only those are acknowledged after it.
 *
 * Up to `syncsInFlightMax` fdatasyncs of one log run at once (STORAGE_LIMITS.alwaysSyncsInFlightMax).
 * With one, frames written during an fdatasync waited for it to end, for the event loop to see
 * that (a thread hop, delayed whenever the loop was busy) and only then for their own: about 1.5
 * fdatasyncs plus a hop per append. With a second one started as soon as they are written, they
 * wait for their own only. The kernel runs both: the second writes the new pages and waits for
 * the first's writeback of the older ones.
 *
 * Results are taken in start order: a later fdatasync that ends first waits for the earlier
 * ones. A writeback error is reported once per open file (errseq, fsyncgate): to whichever of the
 * concurrent fdatasyncs on the descriptor checks first, not necessarily the one whose frames it
 * hit. Taken in order, and with any failure refusing every frame not yet acknowledged, no frame
 * is acknowledged unless every fdatasync started up to its own succeeded.
 */
import { STORAGE_LIMITS } from '../../limits';
import type { PendingAppend } from './pending-appends';
import type { WalStats } from './wal-config';

export interface SyncStageHooks {
  /** An fdatasync covering every frame of `group` completed; `coveredOffset` is durable. */
  synced(group: PendingAppend[], coveredOffset: bigint): void;
  /** An fdatasync failed: `appends` (written, never acknowledged) must be refused. */
  failed(err: unknown, appends: PendingAppend[]): void;
}

/** One fdatasync in flight: the frames it covers and, once it ended, its outcome. */
interface InFlightSync {
  frames: PendingAppend[];
  outcome: { covered: bigint } | { err: unknown } | null;
}

export class SyncStage {
  /** Written frames no fdatasync in flight covers yet. */
  private unsynced: PendingAppend[] = [];
  /** fdatasyncs running, oldest first. */
  private inFlight: InFlightSync[] = [];
  /** Callers of drain() waiting for the stage to empty. */
  private drainWaiters: Array<() => void> = [];
  /** performance.now() since when at least one fdatasync runs (for stats.syncMs). */
  private busySinceMs = 0;

  constructor(
    private readonly hooks: SyncStageHooks,
    private readonly stats: WalStats,
    private readonly syncsInFlightMax: number = STORAGE_LIMITS.alwaysSyncsInFlightMax,
  ) {}

  /** Whether written frames wait for, or are covered by, an fdatasync in progress. */
  get busy(): boolean {
    return this.unsynced.length > 0 || this.inFlight.length > 0;
  }

  /** Frames whose write completed: the next fdatasync to start covers them. */
  add(group: PendingAppend[]): void {
    for (const a of group) this.unsynced.push(a);
    this.startSyncs();
  }

  /** Resolves once every frame added so far is acknowledged or refused. */
  async drain(): Promise<void> {
    while (this.busy) await new Promise<void>((resolve) => this.drainWaiters.push(resolve));
  }

  private startSyncs(): void {
    while (this.unsynced.length > 0 && this.inFlight.length < this.syncsInFlightMax) {
      const sync: InFlightSync = { frames: this.unsynced, outcome: null };
      this.unsynced = [];
      if (this.inFlight.length === 0) this.busySinceMs = performance.now();
      this.inFlight.push(sync);
      void this.run(sync);
    }
  }

  private async run(sync: InFlightSync): Promise<void> {
    // Frames of an earlier segment were fsynced when it was sealed (roll), before this one took frames.
    const segment = sync.frames[sync.frames.length - 1].segment!;
    segment.acquire();
    try {
      this.stats.syncs++;
      sync.outcome = { covered: await segment.sync() };
    } catch (err) {
      sync.outcome = { err };
    } finally {
      segment.release();
    }
    this.settleInOrder();
  }

  /** Acknowledges the frames of every ended fdatasync at the head of the start order; a failure refuses all. */
  private settleInOrder(): void {
    while (this.inFlight.length > 0 && this.inFlight[0].outcome !== null) {
      const head = this.inFlight[0];
      const outcome = head.outcome!;
      if ('err' in outcome) {
        // After a failed fdatasync the kernel may have dropped any dirty page: nothing written is trusted.
        const refused = [...this.inFlight.flatMap((s) => s.frames), ...this.unsynced];
        // Syncs still running find themselves gone when they end (inFlight no longer holds them).
        this.inFlight = [];
        this.unsynced = [];
        this.hooks.failed(outcome.err, refused);
        break;
      }
      this.inFlight.shift();
      this.hooks.synced(head.frames, outcome.covered);
    }
    if (this.inFlight.length === 0 && this.busySinceMs > 0) {
      this.stats.syncMs += performance.now() - this.busySinceMs;
      this.busySinceMs = 0;
    }
    this.startSyncs();
    if (this.busy) return;
    for (const resolve of this.drainWaiters.splice(0)) resolve();
  }
}

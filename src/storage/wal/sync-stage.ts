/**
 * fsync `always`: the sync stage of one log, beside its write stage. While one fdatasync runs,
 * the next group is already being written; each fdatasync covers every frame whose write had
 * completed when it started, and only those are acknowledged after it.
 */
import type { PendingAppend } from './pending-appends';
import type { WalStats } from './wal-config';

export interface SyncStageHooks {
  /** An fdatasync covering every frame of `group` completed; `coveredOffset` is durable. */
  synced(group: PendingAppend[], coveredOffset: bigint): void;
  /** An fdatasync failed: `appends` (written, never acknowledged) must be refused. */
  failed(err: unknown, appends: PendingAppend[]): void;
}

export class SyncStage {
  /** Written frames waiting for the fdatasync that covers them. */
  private unsynced: PendingAppend[] = [];
  private loop: Promise<void> | null = null;

  constructor(
    private readonly hooks: SyncStageHooks,
    private readonly stats: WalStats,
  ) {}

  /** Whether written frames wait for, or are covered by, an fdatasync in progress. */
  get busy(): boolean {
    return this.unsynced.length > 0 || this.loop !== null;
  }

  /** Frames whose write completed: the next fdatasync covers them. */
  add(group: PendingAppend[]): void {
    for (const a of group) this.unsynced.push(a);
    this.loop ??= this.run();
  }

  /** Resolves once every frame added so far is acknowledged or refused. */
  async drain(): Promise<void> {
    while (this.loop) await this.loop;
  }

  private async run(): Promise<void> {
    while (this.unsynced.length > 0) {
      const group = this.unsynced;
      this.unsynced = [];
      // Frames of an earlier segment were fsynced when it was sealed (roll), before this one took frames.
      const segment = group[group.length - 1].segment!;
      segment.acquire();
      let covered: bigint;
      const startedMs = performance.now();
      try {
        this.stats.syncs++;
        covered = await segment.sync();
      } catch (err) {
        // After a failed fdatasync the kernel may have dropped any dirty page: nothing written is trusted.
        const refused = [...group, ...this.unsynced];
        this.unsynced = [];
        this.hooks.failed(err, refused);
        continue;
      } finally {
        segment.release();
        this.stats.syncMs += performance.now() - startedMs;
      }
      this.hooks.synced(group, covered);
    }
    this.loop = null;
  }
}

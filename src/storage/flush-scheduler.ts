/**
 * The one group-commit loop of a broker. Logs enqueue appends and mark themselves dirty; a
 * flush cycle asks every dirty log to write its pending frames (one writev each) and, for
 * fsync `always`, to fdatasync them, all logs in parallel. Appends arriving while a cycle runs
 * wait for the next one, so concurrent appends share one write and one fdatasync.
 *
 * A log that wrote from the event loop is done when flushPending() returns (null instead of a
 * promise). A pass where every log did so ends at once, with no promise and no further turn of
 * the event loop: at 10k one-message Produce requests/s that was a second loop iteration
 * (a non-blocking epoll_pwait and an immediate) and a dozen promises per request.
 *
 * When no cycle runs, the next starts after the group-commit window (windowMs) for appends that
 * wait for an fsync, at the end of the event-loop turn for the others, and at once when the
 * pending bytes reach groupBytesMax.
 * Logs with fsync `interval` are also fsynced by one timer here, each at its own period.
 */
import { STORAGE_LIMITS } from '../limits';

export interface FlushTarget {
  /**
   * Writes pending appends (fsyncs them when the policy asks) and settles them; never rejects.
   * Returns null when it is done already (written from the event loop).
   */
  flushPending(): Promise<void> | null;
  /** fdatasync of bytes written but not yet synced (fsync `interval`); never rejects. */
  syncWritten(): Promise<void>;
}

export interface FlushSchedulerOptions {
  windowMs?: number;
  groupBytesMax?: number;
  pendingBytesMax?: number;
  clock?: () => number;
}

interface IntervalEntry {
  intervalMs: number;
  lastSyncMs: number;
}

export class FlushScheduler {
  private readonly windowMs: number;
  private readonly groupBytesMax: number;
  private readonly pendingBytesMax: number;
  private readonly clock: () => number;
  private dirty = new Set<FlushTarget>();
  private pendingBytes = 0;
  private cycleRunning = false;
  private startScheduled: NodeJS.Timeout | NodeJS.Immediate | null = null;
  private readonly intervalTargets = new Map<FlushTarget, IntervalEntry>();
  private intervalTimer: NodeJS.Timeout | null = null;

  constructor(options: FlushSchedulerOptions = {}) {
    this.windowMs = options.windowMs ?? STORAGE_LIMITS.groupCommitWindowMs;
    this.groupBytesMax = options.groupBytesMax ?? STORAGE_LIMITS.groupCommitBytesMax;
    this.pendingBytesMax = options.pendingBytesMax ?? STORAGE_LIMITS.pendingAppendBytesMax;
    this.clock = options.clock ?? Date.now;
  }

  /** Whether `bytes` more may wait for the group commit (STORAGE_LIMITS.pendingAppendBytesMax). */
  hasRoomFor(bytes: number): boolean {
    return this.pendingBytes + bytes <= this.pendingBytesMax;
  }

  /**
   * A log has `bytes` more pending; it is flushed in the next cycle. `waitsForSync` (fsync
   * `always`): worth holding the cycle open for the window so more appends share the fsync;
   * other appends only need a write, so their cycle starts when the event-loop turn ends.
   */
  enqueue(target: FlushTarget, bytes: number, waitsForSync: boolean): void {
    this.pendingBytes += bytes;
    this.dirty.add(target);
    if (this.cycleRunning) return;
    if (this.pendingBytes >= this.groupBytesMax) this.startNow();
    else if (!this.startScheduled) {
      this.startScheduled = waitsForSync && this.windowMs > 0 ? setTimeout(() => this.startNow(), this.windowMs) : setImmediate(() => this.startNow());
    }
  }

  /** The log took `bytes` of its pending appends into a flush. */
  taken(bytes: number): void {
    this.pendingBytes -= bytes;
  }

  /** fsync `interval`: the target's written bytes are synced every `intervalMs`. */
  registerInterval(target: FlushTarget, intervalMs: number): void {
    this.intervalTargets.set(target, { intervalMs, lastSyncMs: this.clock() });
    this.restartIntervalTimer();
  }

  unregister(target: FlushTarget): void {
    this.dirty.delete(target);
    if (this.intervalTargets.delete(target)) this.restartIntervalTimer();
  }

  /** Stops the interval timer; pending appends still flush. */
  close(): void {
    this.intervalTargets.clear();
    this.restartIntervalTimer();
  }

  private startNow(): void {
    if (this.startScheduled) {
      clearTimeout(this.startScheduled as NodeJS.Timeout);
      clearImmediate(this.startScheduled as NodeJS.Immediate);
      this.startScheduled = null;
    }
    if (this.cycleRunning) return;
    this.cycleRunning = true;
    this.runPass();
  }

  /** Every dirty log writes what it has pending; the cycle goes on while logs are dirty again. */
  private runPass(): void {
    const targets = [...this.dirty];
    this.dirty.clear();
    let flushing: Promise<void>[] | null = null;
    for (const target of targets) {
      const flush = target.flushPending();
      if (flush) (flushing ??= []).push(flush);
    }
    if (flushing) void Promise.all(flushing).then(this.passEnded);
    else this.passEnded();
  }

  private readonly passEnded = (): void => {
    if (this.dirty.size === 0) {
      // Appenders this pass acknowledged and that append again start the next cycle themselves.
      this.cycleRunning = false;
      return;
    }
    // Appends came while the pass ran. Appenders acknowledged by it append again in callbacks
    // still queued: let them run so they join the next pass instead of waiting a window behind it.
    setImmediate(this.nextPass);
  };

  private readonly nextPass = (): void => this.runPass();

  private restartIntervalTimer(): void {
    if (this.intervalTimer) clearInterval(this.intervalTimer);
    this.intervalTimer = null;
    if (this.intervalTargets.size === 0) return;
    const tickMs = Math.max(1, Math.min(...[...this.intervalTargets.values()].map((e) => e.intervalMs)));
    this.intervalTimer = setInterval(() => this.syncDueTargets(), tickMs);
    this.intervalTimer.unref();
  }

  private syncDueTargets(): void {
    const now = this.clock();
    for (const [target, entry] of this.intervalTargets) {
      if (now - entry.lastSyncMs < entry.intervalMs) continue;
      entry.lastSyncMs = now;
      void target.syncWritten();
    }
  }
}

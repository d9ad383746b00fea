/**
 * Runs upload cycles in the background: every `intervalMs` (the tier uploader), or as soon as
 * someone waits and at most once per `intervalMs` (the cloud-durability commit loop, so
 * concurrent produces on all partitions share one object). Failures are retried with
 * exponential backoff, logged and counted; they never throw into the broker, and a waiter
 * is resolved only once its offset is inside a recorded object.
 */
import { TIER_LIMITS } from '../../limits';
import { componentLogger } from '../../log';
import { StorageError } from '../errors';
import { partitionId, TierIndex } from './tier-index';
import { UploadSource, Uploader } from './uploader';

export interface UploadLoopOptions {
  name: string;
  uploader: Uploader;
  index: TierIndex;
  intervalMs: number;
  /** Partitions this loop uploads, asked afresh each cycle. */
  sources: () => UploadSource[];
  /** true: run only when someone waits (cloud commits); false: run every interval. */
  onDemand: boolean;
  pendingBytesMax?: number;
}

export interface UploadLoopStats {
  objects: number;
  bytes: number;
  failures: number;
  consecutiveFailures: number;
  lastError: string | null;
}

interface Waiter {
  id: string;
  offset: bigint;
  bytes: number;
  owner: object | undefined;
  leaderEpoch: number | undefined;
  resolve: () => void;
  reject: (error: Error) => void;
}

export class UploadLoop {
  readonly stats: UploadLoopStats = { objects: 0, bytes: 0, failures: 0, consecutiveFailures: 0, lastError: null };
  private readonly log;
  private waiters: Waiter[] = [];
  private pendingBytes = 0;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private lastRunMs = 0;
  private stopped = false;

  constructor(private readonly options: UploadLoopOptions) {
    this.log = componentLogger('tier-upload-loop', { loop: options.name });
  }

  start(): void {
    if (!this.options.onDemand) this.schedule(this.options.intervalMs);
  }

  /**
   * Resolves once every offset below `offset` of the partition is in a recorded object; `owner`
   * names the waiter for rejectWaiters. With `leaderEpoch`, only a range recorded at that epoch
   * counts: another owner's ranges at the same offsets hold other records (the waiter's own were
   * fenced out), and must never acknowledge this append.
   */
  waitForUpload(topic: string, partition: number, offset: bigint, bytes: number, owner?: object, leaderEpoch?: number): Promise<void> {
    if (this.stopped) return Promise.reject(new StorageError('LOG_CLOSED', `${this.options.name} upload loop is stopped`));
    const coverage = this.coverage(topic, partition, offset, leaderEpoch);
    if (coverage === 'yes') return Promise.resolve();
    if (coverage === 'taken') return Promise.reject(new StorageError('LOG_CLOSED', `${topic}/${partition}: offset ${offset - 1n} was recorded by a later leader epoch`));
    const max = this.options.pendingBytesMax ?? TIER_LIMITS.cloudPendingBytesMax;
    if (this.pendingBytes + bytes > max) {
      return Promise.reject(new StorageError('APPEND_QUEUE_FULL', `${this.pendingBytes} bytes already wait for a cloud commit (limit ${max})`));
    }
    this.pendingBytes += bytes;
    const promise = new Promise<void>((resolve, reject) => {
      this.waiters.push({ id: partitionId(topic, partition), offset, bytes, owner, leaderEpoch, resolve, reject });
    });
    if (this.options.onDemand && !this.timer && !this.running) {
      this.schedule(Math.max(0, this.lastRunMs + this.options.intervalMs - Date.now()));
    }
    return promise;
  }

  /** Runs one cycle now (tests, shutdown flush); resolves when it has finished. */
  async runOnce(): Promise<void> {
    while (this.running) await this.running;
    this.running = this.cycle();
    try {
      await this.running;
    } finally {
      this.running = null;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    while (this.running) await this.running;
    const error = new StorageError('LOG_CLOSED', `${this.options.name} upload loop stopped before the upload`);
    for (const waiter of this.waiters) waiter.reject(error);
    this.waiters = [];
    this.pendingBytes = 0;
  }

  hasWaiters(owner: object): boolean {
    return this.waiters.some((w) => w.owner === owner);
  }

  /**
   * Fails every wait `owner` registered (its log closed or was fenced): those appends are never
   * acknowledged, even if a log opened later (another epoch, another WAL) uploads the same offsets.
   */
  rejectWaiters(owner: object, error: Error): void {
    const still: Waiter[] = [];
    for (const waiter of this.waiters) {
      if (waiter.owner !== owner) {
        still.push(waiter);
        continue;
      }
      this.pendingBytes -= waiter.bytes;
      waiter.reject(error);
    }
    this.waiters = still;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.tick();
    }, delayMs);
    // The periodic uploader must not keep a process alive; a commit someone waits for must.
    if (!this.options.onDemand) this.timer.unref();
  }

  private async tick(): Promise<void> {
    let ok = true;
    try {
      await this.runOnce();
    } catch {
      ok = false;
    }
    ok = ok && this.stats.consecutiveFailures === 0;
    const backoff = Math.min(TIER_LIMITS.uploadBackoffMsMax, TIER_LIMITS.uploadBackoffMsMin * 2 ** Math.min(this.stats.consecutiveFailures, 20));
    const next = this.options.uploader.backlog ? 0 : this.options.intervalMs;
    if (!this.options.onDemand) this.schedule(ok ? next : backoff);
    else if (this.waiters.length > 0) this.schedule(ok ? Math.max(0, this.lastRunMs + this.options.intervalMs - Date.now()) : backoff);
  }

  private async cycle(): Promise<void> {
    this.lastRunMs = Date.now();
    try {
      const descriptor = await this.options.uploader.cycle(this.options.sources());
      if (descriptor) {
        this.stats.objects += 1;
        this.stats.bytes += descriptor.sizeBytes;
      }
      this.stats.consecutiveFailures = 0;
    } catch (error) {
      this.stats.failures += 1;
      this.stats.consecutiveFailures += 1;
      this.stats.lastError = (error as Error).message;
      this.log.warn({ err: error, failures: this.stats.failures }, 'upload failed; retrying with backoff');
    }
    this.settleWaiters();
  }

  /**
   * 'yes': offsets below `offset` are in recorded objects (with `leaderEpoch`: the last one in a
   * range of that epoch); 'taken': a later epoch's range holds that offset, so this append's
   * batch can never be recorded (its leader was moved away); 'no': not yet.
   */
  private coverage(topic: string, partition: number, offset: bigint, leaderEpoch: number | undefined): 'yes' | 'no' | 'taken' {
    const { index } = this.options;
    if (leaderEpoch === undefined) return (index.endOffset(topic, partition) ?? -1n) >= offset ? 'yes' : 'no';
    const entry = index.entryAt(topic, partition, offset - 1n);
    if (entry === null || entry.from > offset - 1n) return 'no';
    if (entry.range.leaderEpoch === leaderEpoch) return 'yes';
    return entry.range.leaderEpoch > leaderEpoch ? 'taken' : 'no';
  }

  private settleWaiters(): void {
    const still: Waiter[] = [];
    for (const waiter of this.waiters) {
      const [topic, partition] = splitId(waiter.id);
      const coverage = this.coverage(topic, partition, waiter.offset, waiter.leaderEpoch);
      if (coverage === 'no') {
        still.push(waiter);
        continue;
      }
      this.pendingBytes -= waiter.bytes;
      if (coverage === 'yes') waiter.resolve();
      else waiter.reject(new StorageError('LOG_CLOSED', `${waiter.id}: offset ${waiter.offset - 1n} was recorded by a later leader epoch than ${waiter.leaderEpoch}`));
    }
    this.waiters = still;
  }
}

function splitId(id: string): [string, number] {
  const slash = id.lastIndexOf('/');
  return [id.slice(0, slash), Number(id.slice(slash + 1))];
}

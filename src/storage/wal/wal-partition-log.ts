/**
 * The WAL implementation of PartitionLog: segment files in one directory per partition, written
 * by the broker-wide group-commit loop (FlushScheduler), tail reads served by the shared
 * TailCache, older reads from the segment files.
 *
 * Offsets are assigned at append (in call order); the high watermark advances when a batch is
 * durable under the fsync policy (always: after the fdatasync covering it; interval and never:
 * once written). Writes, rolls, truncation and retention run one at a time per log (`tasks`);
 * with fsync `always` the fdatasync of one group runs while the next group is written.
 */
import { STORAGE_LIMITS } from '../../limits';
import { StorageError } from '../errors';
import type { FlushTarget } from '../flush-scheduler';
import type { AppendInput, AppendResult, PartitionLog, ReadResult } from '../partition-log';
import type { CacheSlot } from '../tail-cache';
import { encodeFrameHeader, FRAME_HEADER_BYTES } from './frame';
import { recoverSegments } from './recovery';
import { segmentsToDelete } from './retention';
import { readRawFrames, RawFrameRead } from './raw-frame-read';
import { findOffsetForTimestamp, readSegments } from './segment-reader';
import { Segment, syncDirectory } from './segment';
import { PendingAppend, PendingAppends } from './pending-appends';
import { SyncStage } from './sync-stage';
import { SerialTasks } from './serial-tasks';
import { needsRoll, splitAtRolls } from './write-runs';
import { checkAppend, checkOffsetArgument, checkOffsetInRange } from './append-checks';
import { checkWalConfig, SegmentInfo, WalLogConfig, WalShared, WalStats } from './wal-config';
import { truncateSegments } from './truncation';

type State = 'open' | 'closing' | 'closed' | 'failed';

export class WalPartitionLog implements PartitionLog, FlushTarget {
  private readonly pending = new PendingAppends();
  private logEndOffset: bigint;
  private hwm: bigint;
  private durableOffset: bigint;
  private state: State = 'open';
  private failure: StorageError | null = null;
  private readonly tasks = new SerialTasks();
  private intervalSync: Promise<void> = Promise.resolve();
  private uploadMark: bigint | null = null;
  private truncation: Promise<void> | null = null;
  private readonly syncStage: SyncStage;
  /** performance.now() of the last acknowledgement. */
  private lastCompletedAt = -Infinity;
  private readonly cacheSlot: CacheSlot;
  readonly stats: WalStats = { writes: 0, syncs: 0, rolls: 0, syncMs: 0 };

  private constructor(
    readonly dir: string,
    private config: WalLogConfig,
    private readonly shared: WalShared,
    private segments: Segment[],
  ) {
    this.logEndOffset = this.active.nextOffset;
    this.hwm = this.logEndOffset;
    this.durableOffset = this.logEndOffset;
    this.cacheSlot = shared.cache.slot();
    this.syncStage = new SyncStage({
      synced: (group, covered) => {
        this.advanceDurable(covered);
        this.complete(group);
      },
      failed: (err, appends) => this.fail(err, appends),
    }, this.stats);
    if (config.fsyncPolicy === 'interval') shared.scheduler.registerInterval(this, config.fsyncIntervalMs);
  }

  /** Opens (recovering) or creates the log in `dir`. */
  static async open(dir: string, config: WalLogConfig, shared: WalShared): Promise<WalPartitionLog> {
    checkWalConfig(config);
    const segments = await recoverSegments({
      dir,
      format: config.batchFormat,
      indexIntervalBytes: STORAGE_LIMITS.indexIntervalBytes,
      nowMs: shared.clock(),
      allowMidLogTruncation: config.allowMidLogTruncation ?? false,
      initialOffset: config.initialOffset ?? 0n,
      logger: shared.logger,
    });
    if (config.preallocate) await segments[segments.length - 1].preallocate(config.segmentBytes);
    return new WalPartitionLog(dir, config, shared, segments);
  }

  async append(input: AppendInput): Promise<AppendResult> {
    // An append made after truncate() was called lands after the cut, never inside what it drops.
    while (this.truncation) await this.truncation.catch(() => undefined);
    this.checkWritable();
    const { batch, recordCount, maxTimestampMs } = input;
    checkAppend(batch, recordCount, maxTimestampMs, this.config.batchFormat);
    const frameBytes = FRAME_HEADER_BYTES + batch.length;
    if (!this.shared.scheduler.hasRoomFor(frameBytes)) {
      throw new StorageError('APPEND_QUEUE_FULL', `more than ${STORAGE_LIMITS.pendingAppendBytesMax} bytes wait for the group commit`);
    }
    const baseOffset = this.logEndOffset;
    this.config.batchFormat.setBaseOffset(batch, baseOffset);
    this.logEndOffset += BigInt(recordCount);
    const header = encodeFrameHeader(baseOffset, batch);
    return new Promise<AppendResult>((resolve, reject) => {
      this.pending.push({ header, batch, baseOffset, recordCount, maxTimestampMs: Number(maxTimestampMs), resolve, reject });
      // The window gathers appends when the log was idle; appenders just acknowledged go at once.
      const idle = performance.now() - this.lastCompletedAt > STORAGE_LIMITS.groupCommitWindowMs;
      this.shared.scheduler.enqueue(this, frameBytes, this.config.fsyncPolicy === 'always' && idle);
    });
  }

  async read(offset: bigint, maxBytes: number): Promise<ReadResult> {
    this.cacheSlot.noteReader(this.shared.clock());
    return this.readForUpload(offset, maxBytes);
  }

  /**
   * Tier hook: read() that does not count as a tail reader. The uploader reads each batch once,
   * seconds after it was written; a tail cache kept for it would cost every append (see
   * tail-cache.ts) and be evicted before the upload at a busy rate.
   */
  async readForUpload(offset: bigint, maxBytes: number): Promise<ReadResult> {
    if (Number.isNaN(maxBytes)) throw new StorageError('INVALID_ARGUMENT', 'maxBytes must be a number');
    const hwm = this.checkReadFrom(offset);
    if (offset === hwm) return { chunks: [], bytes: 0, nextOffset: offset };
    const budget = Math.max(0, maxBytes);
    return this.cacheSlot.read(offset, budget, hwm) ?? readSegments(this.segments, offset, budget, hwm, this.config.batchFormat);
  }

  /**
   * Tier hook: whole frames from the one holding `offset`, copied raw into `target` at
   * `targetPos` (at most `maxBytes`, within one segment, CRCs checked); see raw-frame-read.ts.
   */
  async readFramesForUpload(offset: bigint, target: Buffer, targetPos: number, maxBytes: number): Promise<RawFrameRead> {
    const hwm = this.checkReadFrom(offset);
    if (offset === hwm) return { frames: [], bytes: 0, nextOffset: offset };
    return readRawFrames(this.segments, offset, hwm, this.config.batchFormat, STORAGE_LIMITS.indexIntervalBytes, target, targetPos, maxBytes);
  }

  async offsetForTimestamp(timestampMs: bigint): Promise<bigint | null> {
    this.checkReadable();
    if (typeof timestampMs !== 'bigint') throw new StorageError('INVALID_ARGUMENT', 'timestampMs must be a bigint');
    return findOffsetForTimestamp(this.segments, timestampMs, this.hwm, this.config.batchFormat);
  }

  highWatermark(): bigint {
    return this.hwm;
  }

  logStartOffset(): bigint {
    return this.segments[0].baseOffset;
  }

  /** Drops every batch at or after `offset`, a batch boundary in [logStartOffset, highWatermark]. */
  async truncate(offset: bigint): Promise<void> {
    this.checkWritable();
    checkOffsetArgument(offset);
    const run = this.tasks.run(() => this.truncateNow(offset));
    this.truncation = run;
    try {
      await run;
    } finally {
      if (this.truncation === run) this.truncation = null;
    }
  }

  private async truncateNow(offset: bigint): Promise<void> {
    await this.writeAllPending();
    await this.syncStage.drain();
    this.checkWritable();
    checkOffsetInRange(offset, this.logStartOffset(), this.hwm);
    if (offset === this.hwm) return;
    this.segments = await truncateSegments(this.segments, offset, this.config.batchFormat, this.dir);
    this.logEndOffset = offset;
    this.hwm = offset;
    if (this.durableOffset > offset) this.durableOffset = offset;
    this.cacheSlot.dropFrom(offset);
  }

  async close(): Promise<void> {
    if (this.state === 'closing' || this.state === 'closed') return;
    const failed = this.state === 'failed';
    this.state = 'closing';
    this.shared.scheduler.unregister(this);
    await this.tasks.run(() => this.writeAllPending());
    await this.syncStage.drain();
    await this.intervalSync;
    // A clean close leaves the active segment its frames' size, synced (`always`: already, unless trimmed).
    const closeActive = async () => {
      if ((await this.active.trimPreallocation()) || this.config.fsyncPolicy !== 'always') await this.syncActive();
    };
    if (!failed) await closeActive().catch((err) => this.shared.logger.error({ err, dir: this.dir }, 'trim or fsync at close failed'));
    this.state = 'closed';
    this.cacheSlot.clear();
    await Promise.all(this.segments.map((s) => s.retire()));
    this.shared.onClosed?.(this.dir);
  }

  /** Deletes old segments per retention; returns how many. Runs between flushes. */
  async applyRetention(nowMs: number = this.shared.clock()): Promise<number> {
    this.checkReadable();
    return this.tasks.run(async () => {
      const floorOffset = this.config.retentionRequiresUploadMark ? (this.uploadMark ?? -1n) : null;
      const count = segmentsToDelete(this.segmentInfos(), { ...this.config, nowMs, floorOffset });
      if (count === 0) return 0;
      const doomed = this.segments.slice(0, count);
      this.segments = this.segments.slice(count);
      this.cacheSlot.dropBelow(this.logStartOffset());
      for (const s of doomed) await s.remove();
      await syncDirectory(this.dir);
      this.shared.logger.info({ dir: this.dir, segments: count, logStartOffset: String(this.logStartOffset()) }, 'retention deleted old segments');
      return count;
    });
  }

  /**
   * Applies changed topic configs (fsync policy and interval, segment and retention limits,
   * preallocation of the next segments) to the open log; the batch format, initial offset and
   * recovery options apply at open only.
   */
  reconfigure(changes: Partial<Pick<WalLogConfig, 'fsyncPolicy' | 'fsyncIntervalMs' | 'segmentBytes' | 'segmentMs' | 'retentionBytes' | 'retentionMs' | 'preallocate'>>): void {
    this.checkReadable();
    const next = { ...this.config, ...changes };
    checkWalConfig(next);
    this.config = next;
    this.shared.scheduler.unregister(this);
    if (next.fsyncPolicy === 'interval') this.shared.scheduler.registerInterval(this, next.fsyncIntervalMs);
    // unregister() also forgot that this log had appends waiting for the next cycle.
    if (this.pending.length > 0) this.shared.scheduler.enqueue(this, 0, false);
  }

  /** Tier hook: every offset below `offset` is safely in object storage (see docs/storage.md). */
  markUploaded(offset: bigint): void {
    if (this.uploadMark === null || offset > this.uploadMark) this.uploadMark = offset;
  }

  /** Tier hook: offsets below this are in sealed (closed and fsynced) segments. */
  sealedEndOffset(): bigint {
    return this.active.baseOffset;
  }

  /** Offsets below this survive a machine crash (for fsync always, the high watermark). */
  durableEndOffset(): bigint {
    return this.durableOffset < this.hwm ? this.durableOffset : this.hwm;
  }

  segmentInfos(): SegmentInfo[] {
    return this.segments.map((s) => s.info(s !== this.active));
  }

  /**
   * @internal FlushScheduler: write (and for `always`, fsync) what is pending; null when done at
   * once (written from the event loop while no other task of this log ran: see flush-scheduler.ts).
   */
  flushPending(): Promise<void> | null {
    if (!this.tasks.idle) return this.tasks.run(() => this.writePending()).catch(() => undefined);
    const group = this.takePending();
    if (group.length === 0 || this.writtenNow(group)) return null;
    return this.tasks.run(() => this.writeTaken(group)).catch(() => undefined);
  }

  /** Writes and settles `group` from the event loop if it needs no roll and fits the turn's inline budget; false if it did nothing. */
  private writtenNow(group: PendingAppend[]): boolean {
    const segment = this.active;
    if (this.failure || needsRoll(group, segment, this.config, this.shared.clock())) return false;
    try {
      if (!segment.writeNow(group)) return false;
    } catch (err) {
      this.fail(err, group);
      return true;
    }
    this.stats.writes++;
    for (const a of group) a.segment = segment;
    this.written(group);
    return true;
  }

  /** @internal FlushScheduler: fsync `interval`. */
  syncWritten(): Promise<void> {
    if (this.state !== 'open' || this.active.syncedBytes >= this.active.writtenBytes) return this.intervalSync;
    this.intervalSync = this.syncActive().catch((err) => this.fail(err, []));
    return this.intervalSync;
  }

  private get active(): Segment {
    return this.segments[this.segments.length - 1];
  }

  private async writePending(): Promise<void> {
    const group = this.takePending();
    if (group.length > 0) await this.writeTaken(group);
  }

  private async writeTaken(group: PendingAppend[]): Promise<void> {
    if (this.failure) {
      for (const a of group) a.reject(this.failure);
      return;
    }
    try {
      await this.writeGroup(group);
    } catch (err) {
      this.fail(err, group);
      return;
    }
    this.written(group);
  }

  /** The group's frames are in the file: durable now, or after their fdatasync. */
  private written(group: PendingAppend[]): void {
    if (this.config.fsyncPolicy === 'always' || this.syncStage.busy) {
      this.syncStage.add(group);
    } else {
      this.complete(group);
    }
  }

  /** The oldest pending appends up to a write's byte cap (at least one; why two caps: limits.ts); the rest waits for the next pass. */
  private takePending(): PendingAppend[] {
    const bytesMax = this.config.fsyncPolicy === 'always' ? STORAGE_LIMITS.alwaysWriteBytesMax : STORAGE_LIMITS.writeBytesMax;
    const { group, bytes } = this.pending.take(bytesMax);
    this.shared.scheduler.taken(bytes);
    if (this.pending.length > 0) this.shared.scheduler.enqueue(this, 0, false);
    return group;
  }

  private async writeAllPending(): Promise<void> {
    while (this.pending.length > 0) await this.writePending();
  }

  /** Writes the group with one writev per segment, rolling segments by size and age on the way. */
  private async writeGroup(group: PendingAppend[]): Promise<void> {
    const nowMs = this.shared.clock();
    const runs = splitAtRolls(group, this.active, this.config, nowMs);
    for (const [i, run] of runs.entries()) {
      if (i > 0) await this.roll(run[0].baseOffset, nowMs);
      if (run.length > 0) await this.writeRun(run);
    }
  }

  private async writeRun(run: PendingAppend[]): Promise<void> {
    const segment = this.active;
    this.stats.writes++;
    await segment.write(run);
    for (const a of run) a.segment = segment;
  }

  /** Seals the active segment (fsync) and starts a new one at `baseOffset`. */
  private async roll(baseOffset: bigint, nowMs: number): Promise<void> {
    // The fsync below also makes the trimmed size durable before the next segment exists.
    await this.active.trimPreallocation();
    await this.syncActive();
    await this.active.writeIndex();
    this.active.seal();
    this.stats.rolls++;
    const preallocateBytes = this.config.preallocate ? this.config.segmentBytes : 0;
    this.segments.push(await Segment.create(this.dir, baseOffset, STORAGE_LIMITS.indexIntervalBytes, nowMs, preallocateBytes));
  }

  private complete(group: PendingAppend[]): void {
    const nowMs = this.shared.clock();
    this.lastCompletedAt = performance.now();
    for (const a of group) {
      const nextOffset = a.baseOffset + BigInt(a.recordCount);
      a.segment!.visibleBytes = a.endPosition!;
      this.hwm = nextOffset;
      this.cacheSlot.append(a.baseOffset, nextOffset, a.batch, nowMs);
      a.resolve({ baseOffset: a.baseOffset, nextOffset });
    }
  }

  private async syncActive(): Promise<void> {
    this.stats.syncs++;
    this.advanceDurable(await this.active.sync());
  }

  private advanceDurable(covered: bigint): void {
    if (covered > this.durableOffset) this.durableOffset = covered;
  }

  /** After a failed write or fsync nothing unsynced can be trusted (fsyncgate): refuse appends until reopened. */
  private fail(err: unknown, group: PendingAppend[]): void {
    if (!this.failure) {
      this.failure = new StorageError('STORAGE_IO', `log ${this.dir} failed: ${(err as Error).message}; reopen it to recover`, { cause: err });
      this.shared.logger.error({ err, dir: this.dir }, 'write or fsync failed; the log refuses appends until reopened');
    }
    if (this.state === 'open') this.state = 'failed';
    for (const a of group) a.reject(this.failure);
  }

  private checkWritable(): void {
    if (this.state === 'closing' || this.state === 'closed') throw new StorageError('LOG_CLOSED', `log ${this.dir} is closed`);
    if (this.failure) throw this.failure;
  }

  /** A read may start at `offset` (in [logStartOffset, highWatermark]); returns the high watermark. */
  private checkReadFrom(offset: bigint): bigint {
    this.checkReadable();
    return checkOffsetInRange(offset, this.logStartOffset(), this.hwm);
  }

  private checkReadable(): void {
    if (this.state === 'closed') throw new StorageError('LOG_CLOSED', `log ${this.dir} is closed`);
  }
}

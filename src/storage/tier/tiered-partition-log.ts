/**
 * The tiered PartitionLog: object storage below the local log start, the WAL above. A read
 * below the local start streams from objects until it reaches the WAL's range, so a consumer
 * sees one continuous log from the first retained offset, with no gap and no duplicate.
 *
 * durability `cloud`: an append resolves only once its batch is inside a recorded object
 * (the commit loop groups all cloud partitions into one object per interval), and the high
 * watermark is the uploaded end, so no consumer sees a batch a lost disk could take away.
 *
 * Fenced: once a write to shared state (a descriptor, a cut, the cloud log start) is refused
 * because this broker no longer leads the partition at the epoch the log was opened at, the
 * log leaves the upload loops, fails its pending cloud commits and refuses appends and reads
 * with LOG_CLOSED (the broker answers NOT_LEADER_OR_FOLLOWER), until it is closed.
 */
import { componentLogger } from '../../log';
import { OffsetOutOfRangeError, StorageError } from '../errors';
import type { AppendInput, AppendResult, PartitionLog, ReadResult } from '../partition-log';
import type { WalLogConfig } from '../wal/wal-config';
import type { EpochClaim, EpochFencedError } from './epoch-fence';
import type { ObjectTier } from './object-tier';
import { localWalConfig, TierTopicSettings } from './open-tiered-log';

const log = componentLogger('tiered-log');

export type Durability = 'local' | 'cloud';

/** The local log as the tier needs it: the WAL with its upload hook. */
export interface LocalLog extends PartitionLog {
  markUploaded(offset: bigint): void;
  /** Deletes segments local retention no longer needs; run after each upload so space frees promptly. */
  applyRetention?(): Promise<number>;
  /** Applies changed topic configs to the open log (the WAL's reconfigure). */
  reconfigure?(changes: Partial<Pick<WalLogConfig, 'fsyncPolicy' | 'fsyncIntervalMs' | 'segmentBytes' | 'segmentMs' | 'retentionBytes' | 'retentionMs' | 'preallocate'>>): void;
}

/**
 * Replaces the local log with an empty one starting at `offset` (close it, delete its
 * directory, reopen with initialOffset): needed to truncate below the local log start.
 */
export type ResetLocalLog = (offset: bigint) => Promise<LocalLog>;

export class TieredPartitionLog implements PartitionLog {
  private closed = false;
  private fencedBy: EpochFencedError | null = null;

  constructor(
    readonly topic: string,
    readonly partition: number,
    public local: LocalLog,
    private readonly tier: ObjectTier,
    public durability: Durability,
    readonly leaderEpoch: () => number,
    private readonly resetLocal: ResetLocalLog | null = null,
  ) {}

  /**
   * durability local hands back the WAL's own promise: no async wrapper (a promise and two
   * microtasks) on every append of the produce path. The durability is the one in force when
   * the append is made (a reconfigure takes effect for the next append).
   */
  append(input: AppendInput): Promise<AppendResult> {
    try {
      this.checkOpen();
    } catch (error) {
      return Promise.reject(error);
    }
    return this.durability === 'cloud' ? this.appendCloud(input) : this.local.append(input);
  }

  private async appendCloud(input: AppendInput): Promise<AppendResult> {
    const result = await this.local.append(input);
    // Fenced or closed while the WAL wrote: no upload of this log will ever cover the batch.
    this.checkOpen();
    await this.tier.waitForCloud(this.topic, this.partition, result.nextOffset, input.batch.length, this, this.leaderEpoch());
    return result;
  }

  /** The partition as this log claims to lead it: fences every write it makes to shared state. */
  claim(): EpochClaim {
    return { topic: this.topic, partition: this.partition, leaderEpoch: this.leaderEpoch() };
  }

  get fenced(): boolean {
    return this.fencedBy !== null;
  }

  /** A write was fenced: another broker (or a later epoch) leads the partition now. Idempotent. */
  fence(error: EpochFencedError): void {
    if (this.fencedBy) return;
    this.fencedBy = error;
    log.error({ topic: this.topic, partition: this.partition, leaderEpoch: this.leaderEpoch(), reason: error.message },
      'partition fenced: uploads stopped, pending cloud commits failed, appends and reads refused');
    this.tier.unregister(this, new StorageError('LOG_CLOSED', `${this.topic}-${this.partition} is fenced: ${error.message}`, { cause: error }));
  }

  private checkOpen(): void {
    if (this.closed) throw new StorageError('LOG_CLOSED', `${this.topic}-${this.partition} is closed`);
    if (this.fencedBy) throw new StorageError('LOG_CLOSED', `${this.topic}-${this.partition} is fenced: ${this.fencedBy.message}`);
  }

  async read(offset: bigint, maxBytes: number): Promise<ReadResult> {
    this.checkOpen();
    const start = this.logStartOffset();
    const hwm = this.highWatermark();
    if (offset < start || offset > hwm) throw new OffsetOutOfRangeError(offset, start, hwm);
    if (offset === hwm) return { chunks: [], bytes: 0, nextOffset: offset };
    const localStart = this.local.logStartOffset();
    if (offset < localStart) {
      const fromObjects = await this.tier.reader.read(this.topic, this.partition, offset, maxBytes);
      if (fromObjects && fromObjects.chunks.length > 0) return fromObjects;
      offset = localStart;
    }
    const result = await this.local.read(offset, maxBytes);
    return this.durability === 'cloud' ? this.capAt(result, hwm) : result;
  }

  /**
   * Applies changed topic configs at run time (IncrementalAlterConfigs): durability takes effect
   * for the next append; `walConfig` holds the topic's WAL settings with Kafka's retention, which
   * become local retention as at open (see localWalConfig).
   */
  reconfigure(walConfig: WalLogConfig, settings: TierTopicSettings): void {
    const local = localWalConfig(walConfig, settings, 0n);
    this.local.reconfigure?.({
      fsyncPolicy: local.fsyncPolicy, fsyncIntervalMs: local.fsyncIntervalMs, segmentBytes: local.segmentBytes,
      segmentMs: local.segmentMs, retentionBytes: local.retentionBytes, retentionMs: local.retentionMs, preallocate: local.preallocate,
    });
    this.durability = settings.durability;
  }

  async offsetForTimestamp(timestampMs: bigint): Promise<bigint | null> {
    const fromObjects = await this.tier.offsetForTimestamp(this.topic, this.partition, timestampMs);
    if (fromObjects !== null && fromObjects < this.local.logStartOffset()) return fromObjects;
    const local = await this.local.offsetForTimestamp(timestampMs);
    return local !== null && local < this.highWatermark() ? local : null;
  }

  highWatermark(): bigint {
    const localEnd = this.local.highWatermark();
    if (this.durability === 'local') return localEnd;
    const cloudEnd = this.tier.index.endOffset(this.topic, this.partition) ?? this.local.logStartOffset();
    return cloudEnd < localEnd ? cloudEnd : localEnd;
  }

  logStartOffset(): bigint {
    const localStart = this.local.logStartOffset();
    const tierStart = this.tier.index.logStartOffset(this.topic, this.partition);
    const start = tierStart !== null && tierStart < localStart ? tierStart : localStart;
    const floor = this.tier.index.retainedFrom(this.topic, this.partition);
    if (start >= floor) return start;
    const hwm = this.highWatermark();
    return floor < hwm ? floor : hwm;
  }

  /** Drops every batch at or after `offset`, in the WAL and (by recording a cut) in object storage. */
  async truncate(offset: bigint): Promise<void> {
    this.checkOpen();
    const start = this.logStartOffset();
    const hwm = this.local.highWatermark();
    if (offset < start || offset > hwm) throw new OffsetOutOfRangeError(offset, start, hwm);
    const cloudEnd = this.tier.index.endOffset(this.topic, this.partition);
    if (offset >= this.local.logStartOffset()) {
      await this.local.truncate(offset);
      if (cloudEnd !== null && offset < cloudEnd) await this.tier.cut(this.claim(), offset);
      return;
    }
    if (!this.resetLocal) throw new StorageError('INVALID_ARGUMENT', `cannot truncate ${this.topic}-${this.partition} below its local log start ${this.local.logStartOffset()}`);
    await this.checkTierBoundary(offset);
    await this.tier.cut(this.claim(), offset);
    this.local = await this.resetLocal(offset);
  }

  private async checkTierBoundary(offset: bigint): Promise<void> {
    const found = await this.tier.reader.read(this.topic, this.partition, offset, 1);
    const first = found?.chunks[0];
    if (!found || !first || found.nextOffset - BigInt(this.tier.format.recordCount(first)) !== offset) {
      throw new StorageError('INVALID_ARGUMENT', `offset ${offset} is not a batch boundary of ${this.topic}-${this.partition}`);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (!this.fencedBy) {
      // Commit what this log acknowledged to nobody yet while it is still readable: a handoff
      // closes it while it still leads (acknowledged then); moved away, the fence refuses it.
      if (this.tier.commits.hasWaiters(this)) await this.tier.commits.runOnce().catch(() => undefined);
      // That commit may have been fenced: then fence() took the log out already.
      if (!this.fencedBy) this.tier.unregister(this);
    }
    await this.local.close();
  }

  /** Drops batches at or past the cloud end from a local read (cloud durability). */
  private capAt(result: ReadResult, end: bigint): ReadResult {
    if (result.nextOffset <= end) return result;
    const counts = result.chunks.map((c) => BigInt(this.tier.format.recordCount(c)));
    let base = result.nextOffset - counts.reduce((a, b) => a + b, 0n);
    const chunks: Buffer[] = [];
    let bytes = 0;
    for (const [i, chunk] of result.chunks.entries()) {
      if (base + counts[i] > end) break;
      chunks.push(chunk);
      bytes += chunk.length;
      base += counts[i];
    }
    return { chunks, bytes, nextOffset: chunks.length === 0 ? result.nextOffset - counts.reduce((a, b) => a + b, 0n) : base };
  }
}

/**
 * The object-store tier of one broker: the index of what is uploaded, the background uploader
 * (durability local), the cloud commit loop (durability cloud), the prefetching reader and
 * cloud retention. The broker opens one at startup and wraps each partition's WAL with
 * `wrap`; the WAL must be opened with `initialOffset: tier.initialOffset(...)` and
 * `retentionRequiresUploadMark: true` so it never deletes a byte that is not uploaded.
 */
import type { ClusterKeys } from '../../coordination/keys';
import type { MetadataStore, Watch } from '../../coordination/metadata-store';
import { StorageError } from '../errors';
import { TIER_LIMITS } from '../../limits';
import { componentLogger } from '../../log';
import type { ObjectStore } from '../objects/object-store';
import { BlockCache } from './block-cache';
import { CloudRetention, RetentionPolicy } from './cloud-retention';
import { EpochClaim, EpochFence, EpochFencedError, isEpochFenced } from './epoch-fence';
import { decodeBlock } from './object-format';
import { TierIndex } from './tier-index';
import { saveCut } from './tier-state';
import { loadTierIndex, syncTierIndex } from './tier-sync';
import { Durability, LocalLog, ResetLocalLog, TieredPartitionLog } from './tiered-partition-log';
import { TieredReader } from './tiered-reader';
import { UploadLoop } from './upload-loop';
import { UploadReadWorker } from './upload-read-worker';
import { BatchHeaderReader, UploadSource, Uploader } from './uploader';

const log = componentLogger('object-tier');

export interface WrapOptions {
  durability: Durability;
  leaderEpoch?: () => number;
  resetLocal?: ResetLocalLog;
}

export interface ObjectTierOptions {
  objects: ObjectStore;
  metadata: MetadataStore;
  keys: ClusterKeys;
  brokerId: number;
  format: BatchHeaderReader;
  uploadIntervalMs?: number;
  cloudCommitIntervalMs?: number;
  retentionIntervalMs?: number;
  /** Cloud retention per topic; null when the topic was deleted. */
  policyOf: (topic: string) => Promise<RetentionPolicy | null>;
  /** Partitions whose cloud log start this broker moves (cluster mode: the ones it leads); default all. */
  owns?: (topic: string, partition: number) => boolean;
  blockBytes?: number;
  blockCacheBytes?: number;
  /**
   * Cluster mode: every descriptor, cut and log-start write compares the leader epoch each
   * partition was opened at (WrapOptions.leaderEpoch), and cloud retention moves only the log
   * start of partitions open here. Default: the sole writer of the store (a single node).
   */
  fence?: EpochFence;
  /**
   * Nice value (Linux, per thread) of the upload read worker, where the background uploads read
   * and check the WAL's frames (default TIER_LIMITS.uploadNiceDefault; 0: off, the reads on the
   * event loop and the libuv pool). tier.uploadNice.
   */
  uploadNice?: number;
  /**
   * Nice value of opendal's runtime threads, raised before each put and never lowered (default
   * TIER_LIMITS.opendalNiceDefault, 0: left alone; they also carry durability-cloud commits). tier.opendalNice.
   */
  runtimeThreadsNice?: number;
}

export class ObjectTier {
  readonly index: TierIndex;
  readonly reader: TieredReader;
  readonly cache: BlockCache;
  readonly format: BatchHeaderReader;
  readonly uploads: UploadLoop;
  readonly commits: UploadLoop;
  readonly retention: CloudRetention;
  private readonly logs = new Set<TieredPartitionLog>();
  private retentionTimer: NodeJS.Timeout | null = null;
  private watches: Watch[] = [];
  private catchingUp: Promise<void> | null = null;
  /** The thread the background uploads read the WAL in (null: tier.uploadNice 0, they read on the event loop). */
  readonly readWorker: UploadReadWorker | null;

  private constructor(private readonly options: ObjectTierOptions, index: TierIndex) {
    this.index = index;
    this.format = options.format;
    this.cache = new BlockCache(options.objects, options.blockCacheBytes);
    this.reader = new TieredReader(index, this.cache);
    const uploadNice = options.uploadNice ?? TIER_LIMITS.uploadNiceDefault;
    this.readWorker = uploadNice > 0 ? new UploadReadWorker(uploadNice) : null;
    const runtimeThreadsNice = options.runtimeThreadsNice ?? TIER_LIMITS.opendalNiceDefault;
    // One uploader per loop: each keeps its own backlog flag and key sequence. The cloud commit
    // loop reads as a tail reader (from memory) and acknowledges produces: its reads stay on the
    // event loop. Both renice opendal's threads before a put (they are the same threads).
    this.uploads = new UploadLoop({
      name: 'uploads', uploader: new Uploader({ ...options, index, readWorker: this.readWorker ?? undefined, runtimeThreadsNice }), index, onDemand: false,
      intervalMs: options.uploadIntervalMs ?? TIER_LIMITS.uploadIntervalMsDefault, sources: () => this.sources('local'),
    });
    this.commits = new UploadLoop({
      name: 'cloud-commits', uploader: new Uploader({ ...options, index, tailReader: true, runtimeThreadsNice }), index, onDemand: true,
      intervalMs: options.cloudCommitIntervalMs ?? TIER_LIMITS.cloudCommitIntervalMsDefault, sources: () => this.sources('cloud'),
    });
    this.retention = new CloudRetention({
      ...options, index, claimOf: options.fence ? (topic, partition) => this.claimOf(topic, partition) : undefined,
      onFenced: (error) => this.fenced(error),
    });
  }

  /** Loads (and then follows) every recorded descriptor and cut, loads retention floors, starts the loops. */
  static async open(options: ObjectTierOptions): Promise<ObjectTier> {
    const index = new TierIndex();
    const watches = await syncTierIndex(options.metadata, options.keys, index);
    const tier = new ObjectTier(options, index);
    tier.watches = watches;
    await tier.retention.loadState();
    tier.uploads.start();
    tier.commits.start();
    const every = options.retentionIntervalMs ?? TIER_LIMITS.retentionIntervalMsDefault;
    tier.retentionTimer = setInterval(() => void tier.runRetention(), every);
    tier.retentionTimer.unref();
    log.info({ objects: index.descriptors().length }, 'object tier open');
    return tier;
  }

  /**
   * Reads every recorded descriptor and cut from the store into the index. The watches feed
   * the index too, but a partition that moved here must not open before its last owner's final
   * objects are seen (the assignment arrives through another watch); concurrent calls share one read.
   */
  catchUp(): Promise<void> {
    this.catchingUp ??= loadTierIndex(this.options.metadata, this.options.keys, this.index).finally(() => { this.catchingUp = null; });
    return this.catchingUp;
  }

  /** Base offset for a partition's WAL when it has no segments (a lost or new disk): after the uploaded data. */
  initialOffset(topic: string, partition: number): bigint {
    return this.index.endOffset(topic, partition) ?? 0n;
  }

  wrap(topic: string, partition: number, local: LocalLog, options: WrapOptions): TieredPartitionLog {
    const tiered = new TieredPartitionLog(topic, partition, local, this, options.durability, options.leaderEpoch ?? (() => 0), options.resetLocal ?? null);
    this.register(tiered);
    return tiered;
  }

  /** Adds a tiered log built elsewhere (a subclass) to the loops; wrap does this itself. */
  register(tiered: TieredPartitionLog): void {
    const end = this.index.endOffset(tiered.topic, tiered.partition);
    if (end !== null) tiered.local.markUploaded(end);
    this.logs.add(tiered);
  }

  /** Takes a closed or fenced log out of the loops; its pending cloud commits fail with `error` (never acknowledged). */
  unregister(tiered: TieredPartitionLog, error?: Error): void {
    this.logs.delete(tiered);
    const reason = error ?? new StorageError('LOG_CLOSED', `${tiered.topic}-${tiered.partition} closed before its cloud commit`);
    this.commits.rejectWaiters(tiered, reason);
  }

  /** `owner`: the log whose append waits, at `leaderEpoch`; only ranges of that epoch settle the wait (see UploadLoop.waitForUpload). */
  waitForCloud(topic: string, partition: number, offset: bigint, bytes: number, owner?: object, leaderEpoch?: number): Promise<void> {
    return this.commits.waitForUpload(topic, partition, offset, bytes, owner, leaderEpoch);
  }

  /** Records a truncation of a partition this broker leads at `claim`; LOG_CLOSED once it no longer does. */
  async cut(claim: EpochClaim, offset: bigint): Promise<void> {
    const { topic, partition } = claim;
    try {
      this.index.addCut(topic, partition, offset, await saveCut(this.options.metadata, this.options.keys, topic, partition, offset, this.options.fence, claim));
    } catch (error) {
      if (!isEpochFenced(error)) throw error;
      log.error({ topic, partition, offset, reason: error.message }, 'truncation not recorded: fenced, this broker no longer leads the partition');
      this.fenced(error);
      throw new StorageError('LOG_CLOSED', `${topic}-${partition} is fenced: ${error.message}`, { cause: error });
    }
  }

  /** The claim of the open log of a partition, or null when none is open here. */
  claimOf(topic: string, partition: number): EpochClaim | null {
    for (const tiered of this.logs) {
      if (tiered.topic === topic && tiered.partition === partition) return tiered.claim();
    }
    return null;
  }

  /** A fenced write: every open log it names stops taking writes and leaves the upload loops. */
  private fenced(error: EpochFencedError): void {
    for (const tiered of [...this.logs]) {
      const claim = tiered.claim();
      if (error.fenced.some((c) => c.topic === claim.topic && c.partition === claim.partition && c.leaderEpoch === claim.leaderEpoch)) tiered.fence(error);
    }
  }

  async offsetForTimestamp(topic: string, partition: number, timestampMs: bigint): Promise<bigint | null> {
    for (const entry of this.index.view(topic, partition)) {
      if (entry.range.maxTimestampMs < timestampMs) continue;
      for (const block of entry.range.blocks) {
        if (block.maxTimestampMs < timestampMs || block.endOffset <= entry.from || block.baseOffset >= entry.to) continue;
        const data = await this.cache.load(entry.objectKey, block);
        for (const batch of decodeBlock(data, block, entry.objectKey)) {
          if (batch.nextOffset <= entry.from || batch.baseOffset >= entry.to) continue;
          if (this.format.maxTimestampMs(batch.batch) >= timestampMs) return batch.baseOffset < entry.from ? entry.from : batch.baseOffset;
        }
      }
    }
    return null;
  }

  async runRetention(): Promise<void> {
    try {
      await this.retention.runPass();
    } catch (error) {
      log.warn({ err: error }, 'cloud retention pass failed; retrying next interval');
    }
  }

  /** Stops the loops after one last upload of everything pending (best effort). */
  async close(): Promise<void> {
    if (this.retentionTimer) clearInterval(this.retentionTimer);
    await this.commits.runOnce().catch(() => undefined);
    await Promise.all([this.uploads.stop(), this.commits.stop(), ...this.watches.map((w) => w.cancel())]);
    await this.readWorker?.close();
  }

  private sources(durability: Durability): UploadSource[] {
    const out: UploadSource[] = [];
    for (const tiered of this.logs) {
      if (tiered.durability !== durability) continue;
      out.push({
        topic: tiered.topic, partition: tiered.partition, local: tiered.local, leaderEpoch: tiered.leaderEpoch,
        onFenced: (error) => tiered.fence(error),
        onUploaded: (offset) => {
          tiered.local.markUploaded(offset);
          // Closed (or fenced) while this cycle ran: its WAL is closed, retention waits for the next open.
          if (!this.logs.has(tiered)) return;
          tiered.local.applyRetention?.().catch((err: unknown) => log.warn({ err, topic: tiered.topic, partition: tiered.partition }, 'local retention after upload failed'));
        },
      });
    }
    return out;
  }
}

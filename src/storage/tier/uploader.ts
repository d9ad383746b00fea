/**
 * One upload cycle: read what each partition has beyond its object-storage end, write it as
 * ONE object (all partitions together, so PUTs per cycle do not grow with the partition
 * count), and only after the whole object is stored record its descriptor. Then tell each
 * partition's local log that the bytes below the new end are safe to delete.
 *
 * Resumable by construction: the next cycle starts where the recorded view ends, so a crash
 * anywhere leaves at worst an unreferenced object (collected by retention), never a gap or a
 * duplicate in the view.
 *
 * Fenced: the descriptor is recorded only while this broker still leads every partition in it
 * at the epoch the partition was opened at. A partition that was moved away (this broker was
 * paused or cut off) is told so (onFenced: it stops uploading and refuses writes) and left out;
 * the others' ranges are recorded without it. Its bytes stay in the object, unreferenced.
 */
import { randomBytes } from 'node:crypto';
import type { ClusterKeys } from '../../coordination/keys';
import type { MetadataStore } from '../../coordination/metadata-store';
import { TIER_LIMITS } from '../../limits';
import { componentLogger } from '../../log';
import { isStorageError } from '../errors';
import type { PartitionLog, ReadResult, RecoverableBatchFormat } from '../partition-log';
import type { ObjectStore } from '../objects/object-store';
import { FramesReadElsewhere, framesReadElsewhereInto, RawFrameRead } from '../wal/raw-frame-read';
import { ObjectDescriptor, recordDescriptor } from './descriptor';
import { describeClaims, EpochClaim, EpochFence, EpochFencedError, isEpochFenced } from './epoch-fence';
import { ObjectBuilder } from './object-builder';
import { lowerRuntimeThreadsPriority } from './runtime-thread-priority';
import { TierIndex } from './tier-index';

const log = componentLogger('tier-uploader');

/** What the tier reads from a stored batch header, never the records: the WAL's RecoverableBatchFormat. */
export type BatchHeaderReader = Pick<RecoverableBatchFormat, 'recordCount' | 'maxTimestampMs'>;

/**
 * The local log as the uploader reads it. The WAL offers a read that does not fill its tail
 * cache, and one that copies its frames raw into the object being built (readFramesForUpload):
 * the uploader uses the raw one when it is there and it does not read as a tail reader.
 */
export type UploadLocalLog = PartitionLog & {
  readForUpload?(offset: bigint, maxBytes: number): Promise<ReadResult>;
  readFramesForUpload?(offset: bigint, target: Buffer, targetPos: number, maxBytes: number): Promise<RawFrameRead>;
};

export interface UploadSource {
  readonly topic: string;
  readonly partition: number;
  leaderEpoch(): number;
  /** The local log (WAL); everything below its high watermark may be uploaded. */
  readonly local: UploadLocalLog;
  /** Every byte below `offset` is now recorded in object storage: local retention may delete it. */
  onUploaded(offset: bigint): void;
  /** The partition's leader epoch is no longer this broker's: nothing of it was recorded; stop writing it. */
  onFenced?(error: EpochFencedError): void;
}

export interface UploaderOptions {
  objects: ObjectStore;
  metadata: MetadataStore;
  keys: ClusterKeys;
  brokerId: number;
  index: TierIndex;
  format: BatchHeaderReader;
  /** Compares every partition's leader epoch when recording a descriptor; default: the sole writer. */
  fence?: EpochFence;
  objectBytesMax?: number;
  blockBytes?: number;
  /**
   * true: read as a consumer does, so the partition's new batches go into the WAL's tail cache
   * (the cloud commit loop reads what was appended one commit interval ago: from memory, not
   * disk). false (default): read without filling the tail cache (see readForUpload).
   */
  tailReader?: boolean;
  /**
   * Raw reads only: who preads and checks the frames (the tier's upload read worker, a thread at
   * a lower CPU priority); default: the WAL on the event loop and the libuv pool.
   */
  readWorker?: FramesReadElsewhere;
  /** Before each put, opendal's runtime threads get at least this nice value (runtime-thread-priority.ts); 0 or absent: left alone. */
  runtimeThreadsNice?: number;
  now?: () => number;
}

interface CollectedPart {
  source: UploadSource;
  claim: EpochClaim;
}

function sameClaim(a: EpochClaim, b: EpochClaim): boolean {
  return a.topic === b.topic && a.partition === b.partition && a.leaderEpoch === b.leaderEpoch;
}

export class Uploader {
  private sequence = 0;
  private rotation = 0;
  /** The last cycle stopped at objectBytesMax: a backlog is waiting, run again without a pause. */
  backlog = false;
  /** Kept between cycles (see object-builder.ts); a cycle started while another runs builds in a buffer of its own. */
  private readonly builder: ObjectBuilder;
  private building = false;

  constructor(private readonly options: UploaderOptions) {
    this.builder = this.newBuilder();
  }

  /** Uploads one object for `sources`; returns its descriptor, or null when nothing was new. */
  async cycle(sources: UploadSource[]): Promise<ObjectDescriptor | null> {
    const shared = !this.building;
    const builder = shared ? this.builder : this.newBuilder();
    if (shared) this.building = true;
    try {
      return await this.cycleWith(builder, sources);
    } finally {
      if (shared) this.building = false;
    }
  }

  private newBuilder(): ObjectBuilder {
    return new ObjectBuilder(this.options.blockBytes, this.options.objectBytesMax ?? TIER_LIMITS.objectBytesMax);
  }

  private async cycleWith(builder: ObjectBuilder, sources: UploadSource[]): Promise<ObjectDescriptor | null> {
    const { objects, index } = this.options;
    const parts = await this.collect(builder, sources);
    if (parts.length === 0) return null;
    const { body, index: objectIndex } = builder.finish();
    const createdAtMs = (this.options.now ?? Date.now)();
    const key = this.objectKey(createdAtMs);
    if (this.options.runtimeThreadsNice) lowerRuntimeThreadsPriority(this.options.runtimeThreadsNice);
    // The body is the builder's buffer: put() must be done with it before the next cycle begins (it is: awaited here).
    await objects.put(key, body);
    const whole: ObjectDescriptor = {
      key, brokerId: this.options.brokerId, sizeBytes: body.length, framesCrc32c: objectIndex.framesCrc32c, createdAtMs, ranges: objectIndex.ranges,
    };
    const recorded = await this.record(whole, parts);
    if (recorded === null) return null;
    const { descriptor, live } = recorded;
    for (const part of live) {
      const end = index.endOffset(part.source.topic, part.source.partition);
      if (end !== null) part.source.onUploaded(end);
    }
    log.debug({ key, bytes: body.length, partitions: live.length }, 'object uploaded');
    return descriptor;
  }

  /**
   * Records the descriptor through the fence; on a fenced claim, drops those partitions (telling
   * them) and records the rest. null: every partition was fenced, nothing was recorded.
   */
  private async record(whole: ObjectDescriptor, parts: CollectedPart[]): Promise<{ descriptor: ObjectDescriptor; live: CollectedPart[] } | null> {
    const { metadata, keys, index, fence } = this.options;
    let live = parts;
    let descriptor = whole;
    for (;;) {
      try {
        index.add(descriptor, await recordDescriptor(metadata, keys, descriptor, fence, live.map((p) => p.claim)));
        return { descriptor, live };
      } catch (error) {
        if (!isEpochFenced(error)) throw error;
        const fenced = live.filter((p) => error.fenced.some((c) => sameClaim(c, p.claim)));
        if (fenced.length === 0) throw error;
        log.error({ object: whole.key, fenced: describeClaims(fenced.map((p) => p.claim)), reason: error.message },
          'upload fenced: this broker no longer leads these partitions at the epoch they were opened at; their ranges are not recorded and they stop taking writes');
        for (const part of fenced) part.source.onFenced?.(error);
        live = live.filter((p) => !fenced.includes(p));
        if (live.length === 0) return null;
        descriptor = { ...whole, ranges: whole.ranges.filter((r) => live.some((p) => p.claim.topic === r.topic && p.claim.partition === r.partition)) };
      }
    }
  }

  private async collect(builder: ObjectBuilder, sources: UploadSource[]): Promise<CollectedPart[]> {
    const budgetMax = this.options.objectBytesMax ?? TIER_LIMITS.objectBytesMax;
    let budget = budgetMax;
    this.backlog = false;
    builder.begin();
    const out: CollectedPart[] = [];
    // Start at a different partition each cycle so a large backlog cannot starve the last ones.
    const start = sources.length === 0 ? 0 : this.rotation++ % sources.length;
    for (let i = 0; i < sources.length && budget > 0; i++) {
      if (out.length >= TIER_LIMITS.rangesPerObjectMax) {
        this.backlog = true;
        break;
      }
      const source = sources[(start + i) % sources.length];
      // One read of the epoch: the range carries the epoch the descriptor write is fenced on.
      const claim = { topic: source.topic, partition: source.partition, leaderEpoch: source.leaderEpoch() };
      builder.startRange(claim.topic, claim.partition, claim.leaderEpoch);
      budget -= await this.addNewBatches(builder, source, budget);
      if (!builder.endRange()) continue;
      if (budget <= 0) this.backlog = true;
      out.push({ source, claim });
    }
    return out;
  }

  /** Copies the partition's batches beyond its object-storage end into the open range; returns their bytes. */
  private async addNewBatches(builder: ObjectBuilder, source: UploadSource, budget: number): Promise<number> {
    const { index } = this.options;
    const end = source.local.highWatermark();
    const localStart = source.local.logStartOffset();
    let offset = index.endOffset(source.topic, source.partition) ?? localStart;
    if (offset < localStart) {
      log.warn({ topic: source.topic, partition: source.partition, from: offset, localStart }, 'offsets below the local log start were never uploaded; continuing at the local start');
      offset = localStart;
    }
    const raw = !this.options.tailReader && source.local.readFramesForUpload !== undefined;
    let bytes = 0;
    while (offset < end && bytes < budget) {
      const maxBytes = Math.min(TIER_LIMITS.uploadReadBytes, budget - bytes);
      let read: { bytes: number; nextOffset: bigint } | null;
      try {
        read = raw ? await this.addRawFrames(builder, source.local, offset, end, maxBytes) : await this.addBatches(builder, source.local, offset, end, maxBytes);
      } catch (error) {
        if (isStorageError(error, 'OFFSET_OUT_OF_RANGE')) return bytes;
        // What this partition read so far is valid; the rest waits for a later cycle. Failing the
        // cycle would hold back every other partition of the object, cycle after cycle: a WAL
        // closed under a log still registered (LOG_CLOSED) or a damaged segment must stop only its own uploads.
        const closed = isStorageError(error, 'LOG_CLOSED');
        log[closed ? 'warn' : 'error']({ err: error, topic: source.topic, partition: source.partition, from: offset },
          closed ? 'local log closed during the upload read; the rest of it waits for its next open' : 'reading the local log for upload failed; this partition waits, the others upload');
        return bytes;
      }
      if (read === null) break;
      bytes += read.bytes;
      offset = read.nextOffset;
    }
    return bytes;
  }

  /**
   * One raw read: the WAL copies whole frames straight into the object buffer (they are the
   * object's frames byte for byte), the builder indexes them. null when nothing below `end` came.
   */
  private async addRawFrames(builder: ObjectBuilder, local: UploadLocalLog, offset: bigint, end: bigint, maxBytes: number): Promise<{ bytes: number; nextOffset: bigint } | null> {
    const worker = this.options.readWorker;
    const readInto = (bytes: number): Promise<RawFrameRead> => {
      const room = builder.reserveFrames(bytes);
      return local.readFramesForUpload!(offset, worker ? framesReadElsewhereInto(room.buffer, worker) : room.buffer, room.position, bytes);
    };
    let result = await readInto(maxBytes);
    // A batch larger than the read size is read whole, as read() returns at least one batch.
    if (result.frameBytesNeeded !== undefined) result = await readInto(result.frameBytesNeeded);
    let count = 0;
    while (count < result.frames.length && result.frames[count].baseOffset < end) count++;
    if (count === 0) return null;
    const frames = count === result.frames.length ? result.frames : result.frames.slice(0, count);
    builder.addFrames(frames);
    const last = frames[frames.length - 1];
    return { bytes: last.position + last.frameBytes - frames[0].position, nextOffset: last.nextOffset };
  }

  /** One read of whole batches (a tail reader, or a local log without raw reads), each copied into a frame. */
  private async addBatches(builder: ObjectBuilder, local: UploadLocalLog, offset: bigint, end: bigint, maxBytes: number): Promise<{ bytes: number; nextOffset: bigint } | null> {
    const { format } = this.options;
    const result = await this.readLocal(local, offset, maxBytes);
    if (result.chunks.length === 0) return null;
    // The first batch may start below `offset`; the read's nextOffset pins every base exactly.
    const counts = result.chunks.map((batch) => BigInt(format.recordCount(batch)));
    let base = result.nextOffset - counts.reduce((a, b) => a + b, 0n);
    let bytes = 0;
    let next = offset;
    for (const [i, batch] of result.chunks.entries()) {
      const batchNext = base + counts[i];
      if (base >= end) break;
      if (batchNext > offset) {
        builder.add({ baseOffset: base, nextOffset: batchNext, maxTimestampMs: format.maxTimestampMs(batch), batch });
        bytes += batch.length;
        next = batchNext;
      }
      base = batchNext;
    }
    return bytes === 0 ? null : { bytes, nextOffset: next };
  }

  private readLocal(local: UploadLocalLog, offset: bigint, maxBytes: number): Promise<ReadResult> {
    if (this.options.tailReader || !local.readForUpload) return local.read(offset, maxBytes);
    return local.readForUpload(offset, maxBytes);
  }

  private objectKey(createdAtMs: number): string {
    const seq = String(this.sequence++).padStart(8, '0');
    return `objects/${this.options.brokerId}/${String(createdAtMs).padStart(15, '0')}-${seq}-${randomBytes(8).toString('hex')}.tob`;
  }
}

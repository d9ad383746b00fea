/**
 * One upload cycle: read what each partition has beyond its object-storage end, write it as
 * ONE object (all partitions together, so PUTs per cycle do not grow with the partition
 * count), and only after the whole object is stored record its descriptor. Then tell each
 * partition's local log that the bytes below the new end are safe to delete.
 *
 * Resumable by construction: the next cycle starts where the recorded view ends, so a crash
 * anywhere leaves at worst an unreferenced object (collected by retention), never a gap or a
 * duplicate in the view.
 */
import { randomBytes } from 'node:crypto';
import type { ClusterKeys } from '../../coordination/keys';
import type { MetadataStore } from '../../coordination/metadata-store';
import { TIER_LIMITS } from '../../limits';
import { componentLogger } from '../../log';
import { isStorageError } from '../errors';
import type { PartitionLog, ReadResult, RecoverableBatchFormat } from '../partition-log';
import type { ObjectStore } from '../objects/object-store';
import { ObjectDescriptor, recordDescriptor } from './descriptor';
import { encodeObject, PartitionUpload, TierBatch } from './object-format';
import { TierIndex } from './tier-index';

const log = componentLogger('tier-uploader');
/** Bytes asked from the local log per read while collecting a partition's new batches. */
const READ_STEP_BYTES = 1024 * 1024;

/** What the tier reads from a stored batch header, never the records: the WAL's RecoverableBatchFormat. */
export type BatchHeaderReader = Pick<RecoverableBatchFormat, 'recordCount' | 'maxTimestampMs'>;

export interface UploadSource {
  readonly topic: string;
  readonly partition: number;
  leaderEpoch(): number;
  /** The local log (WAL); everything below its high watermark may be uploaded. */
  readonly local: PartitionLog;
  /** Every byte below `offset` is now recorded in object storage: local retention may delete it. */
  onUploaded(offset: bigint): void;
}

export interface UploaderOptions {
  objects: ObjectStore;
  metadata: MetadataStore;
  keys: ClusterKeys;
  brokerId: number;
  index: TierIndex;
  format: BatchHeaderReader;
  objectBytesMax?: number;
  blockBytes?: number;
  now?: () => number;
}

export class Uploader {
  private sequence = 0;
  private rotation = 0;
  /** The last cycle stopped at objectBytesMax: a backlog is waiting, run again without a pause. */
  backlog = false;

  constructor(private readonly options: UploaderOptions) {}

  /** Uploads one object for `sources`; returns its descriptor, or null when nothing was new. */
  async cycle(sources: UploadSource[]): Promise<ObjectDescriptor | null> {
    const { objects, metadata, keys, index } = this.options;
    const parts = await this.collect(sources);
    if (parts.length === 0) return null;
    const { body, index: objectIndex } = encodeObject(parts.map((p) => p.upload), this.options.blockBytes);
    const createdAtMs = (this.options.now ?? Date.now)();
    const key = this.objectKey(createdAtMs);
    await objects.put(key, body);
    const descriptor: ObjectDescriptor = {
      key, brokerId: this.options.brokerId, sizeBytes: body.length, framesCrc32c: objectIndex.framesCrc32c, createdAtMs, ranges: objectIndex.ranges,
    };
    index.add(descriptor, await recordDescriptor(metadata, keys, descriptor));
    for (const part of parts) {
      const end = index.endOffset(part.source.topic, part.source.partition);
      if (end !== null) part.source.onUploaded(end);
    }
    log.debug({ key, bytes: body.length, partitions: parts.length }, 'object uploaded');
    return descriptor;
  }

  private async collect(sources: UploadSource[]): Promise<Array<{ source: UploadSource; upload: PartitionUpload }>> {
    const budgetMax = this.options.objectBytesMax ?? TIER_LIMITS.objectBytesMax;
    let budget = budgetMax;
    this.backlog = false;
    const out: Array<{ source: UploadSource; upload: PartitionUpload }> = [];
    // Start at a different partition each cycle so a large backlog cannot starve the last ones.
    const start = sources.length === 0 ? 0 : this.rotation++ % sources.length;
    for (let i = 0; i < sources.length && budget > 0; i++) {
      if (out.length >= TIER_LIMITS.rangesPerObjectMax) {
        this.backlog = true;
        break;
      }
      const source = sources[(start + i) % sources.length];
      const batches = await this.newBatches(source, budget);
      if (batches.length === 0) continue;
      budget -= batches.reduce((n, b) => n + b.batch.length, 0);
      if (budget <= 0) this.backlog = true;
      out.push({ source, upload: { topic: source.topic, partition: source.partition, leaderEpoch: source.leaderEpoch(), batches } });
    }
    return out;
  }

  private async newBatches(source: UploadSource, budget: number): Promise<TierBatch[]> {
    const { index, format } = this.options;
    const end = source.local.highWatermark();
    const localStart = source.local.logStartOffset();
    let offset = index.endOffset(source.topic, source.partition) ?? localStart;
    if (offset < localStart) {
      log.warn({ topic: source.topic, partition: source.partition, from: offset, localStart }, 'offsets below the local log start were never uploaded; continuing at the local start');
      offset = localStart;
    }
    const out: TierBatch[] = [];
    let bytes = 0;
    while (offset < end && bytes < budget) {
      let result: ReadResult;
      try {
        result = await source.local.read(offset, Math.min(READ_STEP_BYTES, budget - bytes));
      } catch (error) {
        if (isStorageError(error, 'OFFSET_OUT_OF_RANGE')) return out;
        throw error;
      }
      if (result.chunks.length === 0) break;
      // The first batch may start below `offset`; the read's nextOffset pins every base exactly.
      const counts = result.chunks.map((batch) => BigInt(format.recordCount(batch)));
      let base = result.nextOffset - counts.reduce((a, b) => a + b, 0n);
      for (const [i, batch] of result.chunks.entries()) {
        const next = base + counts[i];
        if (base >= end) break;
        if (next <= offset) {
          base = next;
          continue;
        }
        out.push({ baseOffset: base, nextOffset: next, maxTimestampMs: format.maxTimestampMs(batch), batch });
        bytes += batch.length;
        offset = next;
        base = next;
      }
    }
    return out;
  }

  private objectKey(createdAtMs: number): string {
    const seq = String(this.sequence++).padStart(8, '0');
    return `objects/${this.options.brokerId}/${String(createdAtMs).padStart(15, '0')}-${seq}-${randomBytes(8).toString('hex')}.tob`;
  }
}

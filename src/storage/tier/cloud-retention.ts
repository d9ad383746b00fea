/**
 * Cloud retention: per topic, `retention.ms` and `retention.bytes` move each partition's
 * cloud log start forward (whole view entries at a time); an object is deleted once no
 * partition still needs any of its ranges, deleted topics' ranges included. Order of a
 * deletion: raise the log start (readers stop going there), delete the descriptor (the object
 * leaves the view), then delete the object. Objects nobody recorded (an upload cut short by a
 * crash) are deleted once older than TIER_LIMITS.orphanGraceMs.
 */
import type { ClusterKeys } from '../../coordination/keys';
import type { MetadataStore } from '../../coordination/metadata-store';
import { TIER_LIMITS } from '../../limits';
import { componentLogger } from '../../log';
import type { ObjectStore } from '../objects/object-store';
import type { ObjectDescriptor } from './descriptor';
import { EpochClaim, EpochFence, EpochFencedError, isEpochFenced } from './epoch-fence';
import { TierIndex } from './tier-index';
import { loadLogStarts, saveLogStart } from './tier-state';

const log = componentLogger('tier-retention');

export interface RetentionPolicy {
  /** -1: keep forever. */
  retentionMs: number;
  /** Per partition; -1: no limit. */
  retentionBytes: number;
}

export interface CloudRetentionOptions {
  objects: ObjectStore;
  metadata: MetadataStore;
  keys: ClusterKeys;
  index: TierIndex;
  /** The topic's policy, or null when the topic no longer exists (its objects are collected). */
  policyOf: (topic: string) => Promise<RetentionPolicy | null>;
  now?: () => number;
  orphanGraceMs?: number;
  /**
   * In a cluster, each broker moves the log start only of the partitions it leads (default:
   * all, a single node). Objects are still deleted only when no partition's view needs them.
   */
  owns?: (topic: string, partition: number) => boolean;
  /** Fences each log-start write on the partition's claim (cluster mode); default: the sole writer. */
  fence?: EpochFence;
  /**
   * The claim this broker holds on a partition (the leader epoch its open log was opened at), or
   * null when it does not lead it here: then its log start is left to its leader.
   */
  claimOf?: (topic: string, partition: number) => EpochClaim | null;
  /** A log-start write was fenced: the partition has a new leader. */
  onFenced?: (error: EpochFencedError) => void;
}

export interface RetentionPassResult {
  objectsDeleted: number;
  orphansDeleted: number;
}

export class CloudRetention {
  constructor(private readonly options: CloudRetentionOptions) {}

  async runPass(): Promise<RetentionPassResult> {
    const { index } = this.options;
    const now = (this.options.now ?? Date.now)();
    const dead = new Set<string>();
    for (const id of index.partitionIds()) {
      const slash = id.lastIndexOf('/');
      const topic = id.slice(0, slash);
      const partition = Number(id.slice(slash + 1));
      const policy = await this.options.policyOf(topic);
      if (policy === null) {
        dead.add(topic);
        continue;
      }
      if (this.options.owns && !this.options.owns(topic, partition)) continue;
      const claim = this.options.claimOf?.(topic, partition) ?? null;
      if (this.options.claimOf && claim === null) continue;
      const start = retainedStart(index, topic, partition, policy, now);
      if (start !== null && start > index.retainedFrom(topic, partition)) await this.moveLogStart(topic, partition, start, claim);
    }
    const unneeded = index.descriptors().filter((d) => !isNeeded(index, d, dead)).slice(0, TIER_LIMITS.retentionDeletesPerPassMax);
    for (const descriptor of unneeded) await this.deleteObject(descriptor);
    const orphansDeleted = await this.deleteOrphans(now);
    if (unneeded.length + orphansDeleted > 0) log.info({ objects: unneeded.length, orphans: orphansDeleted }, 'cloud retention deleted objects');
    return { objectsDeleted: unneeded.length, orphansDeleted };
  }

  private async moveLogStart(topic: string, partition: number, start: bigint, claim: EpochClaim | null): Promise<void> {
    try {
      await saveLogStart(this.options.metadata, this.options.keys, topic, partition, start, this.options.fence, claim);
      this.options.index.setLogStartOffset(topic, partition, start);
    } catch (error) {
      if (!isEpochFenced(error)) throw error;
      log.error({ topic, partition, reason: error.message }, 'cloud log start not moved: fenced, this broker no longer leads the partition');
      this.options.onFenced?.(error);
    }
  }

  /** Reloads retention floors written by an earlier run (call once at startup, after the descriptors). */
  async loadState(): Promise<void> {
    for (const { topic, partition, logStartOffset } of await loadLogStarts(this.options.metadata, this.options.keys)) {
      this.options.index.setLogStartOffset(topic, partition, logStartOffset);
    }
  }

  private async deleteObject(descriptor: ObjectDescriptor): Promise<void> {
    const key = this.options.keys.object(descriptor.key);
    await this.options.metadata.txn([], [{ type: 'delete', key }]);
    this.options.index.remove(descriptor.key);
    await this.options.objects.delete(descriptor.key);
  }

  private async deleteOrphans(now: number): Promise<number> {
    const grace = this.options.orphanGraceMs ?? TIER_LIMITS.orphanGraceMs;
    const known = new Set(this.options.index.descriptors().map((d) => d.key));
    let deleted = 0;
    for (const key of await this.options.objects.list('objects/')) {
      if (known.has(key)) continue;
      const createdAtMs = createdAtOf(key);
      if (createdAtMs === null || now - createdAtMs < grace) continue;
      // The descriptor may have been recorded by a run that this index has not seen: check.
      if (await this.options.metadata.get(this.options.keys.object(key))) continue;
      await this.options.objects.delete(key);
      deleted += 1;
    }
    return deleted;
  }
}

/** The new cloud log start of a partition under its policy, or null when nothing expires. */
function retainedStart(index: TierIndex, topic: string, partition: number, policy: RetentionPolicy, now: number): bigint | null {
  const view = index.view(topic, partition);
  let total = view.reduce((n, e) => n + e.range.bytes, 0);
  let start: bigint | null = null;
  // Keep at least the newest entry: it marks where the log ends even when every byte expired.
  for (const entry of view.slice(0, -1)) {
    const expiredByTime = policy.retentionMs >= 0 && Number(entry.range.maxTimestampMs) < now - policy.retentionMs;
    const overSize = policy.retentionBytes >= 0 && total > policy.retentionBytes;
    if (!expiredByTime && !overSize) break;
    total -= entry.range.bytes;
    start = entry.to;
  }
  return start;
}

function isNeeded(index: TierIndex, descriptor: ObjectDescriptor, deadTopics: Set<string>): boolean {
  return descriptor.ranges.some((range) => {
    if (deadTopics.has(range.topic)) return false;
    return index.view(range.topic, range.partition).some((e) => e.objectKey === descriptor.key);
  });
}

/** objects/<broker>/<createdAtMs>-<seq>-<rand>.tob -> createdAtMs */
function createdAtOf(key: string): number | null {
  const match = /^objects\/\d+\/(\d{15})-\d+-[0-9a-f]+\.tob$/.exec(key);
  return match ? Number(match[1]) : null;
}

/**
 * Object descriptors: the record in the MetadataStore that makes an uploaded object part of
 * the log. Written once, create-if-absent, only after the whole object is stored, and fenced by
 * the leader epoch of every partition it holds; an object without a descriptor is invisible to
 * readers (and collected as an orphan by retention).
 */
import type { ClusterKeys } from '../../coordination/keys';
import type { MetadataStore } from '../../coordination/metadata-store';
import { EpochClaim, EpochFence, isEpochFenced, soleWriterFence } from './epoch-fence';
import { ObjectRange, rangeFromJson, rangeToJson } from './object-index';
import { TierCorruptError } from './tier-errors';

export interface ObjectDescriptor {
  /** Key of the object in the ObjectStore. */
  key: string;
  brokerId: number;
  sizeBytes: number;
  /** CRC-32C over the object's frame headers (also in its footer; see ObjectIndex). */
  framesCrc32c: number;
  createdAtMs: number;
  ranges: ObjectRange[];
}

export function encodeDescriptor(d: ObjectDescriptor): string {
  return JSON.stringify({
    key: d.key, brokerId: d.brokerId, sizeBytes: d.sizeBytes, framesCrc32c: d.framesCrc32c, createdAtMs: d.createdAtMs,
    ranges: d.ranges.map(rangeToJson),
  });
}

export function decodeDescriptor(text: string, where: string): ObjectDescriptor {
  let j: Record<string, unknown>;
  try {
    j = JSON.parse(text) as Record<string, unknown>;
  } catch (error) {
    throw new TierCorruptError(where, `descriptor is not JSON: ${(error as Error).message}`);
  }
  if (typeof j.key !== 'string' || !Array.isArray(j.ranges) || typeof j.sizeBytes !== 'number' || typeof j.createdAtMs !== 'number') {
    throw new TierCorruptError(where, 'descriptor lacks key, sizeBytes, createdAtMs or ranges');
  }
  return {
    key: j.key, brokerId: Number(j.brokerId), sizeBytes: j.sizeBytes, framesCrc32c: Number(j.framesCrc32c), createdAtMs: j.createdAtMs,
    ranges: j.ranges.map((r) => rangeFromJson(r, where)),
  };
}

/**
 * Records a descriptor unless its key exists, through the epoch fence: in a cluster the write
 * applies only while this broker still leads every claimed partition at its claimed epoch
 * (EpochFencedError otherwise, and nothing is written). An error after the store applied the
 * write (a timeout, a retried etcd call) is resolved by reading the key back, so the caller
 * never uploads the same range again into the log's view.
 */
export async function recordDescriptor(store: MetadataStore, keys: ClusterKeys, d: ObjectDescriptor,
  fence: EpochFence = soleWriterFence(store), claims: EpochClaim[] = []): Promise<bigint> {
  const key = keys.object(d.key);
  const value = encodeDescriptor(d);
  try {
    const result = await fence.commit(claims, [{ type: 'put', key, value }], [{ key, modRevision: 0n }]);
    if (result.succeeded) return result.revision;
  } catch (error) {
    if (isEpochFenced(error)) throw error;
    const existing = await store.get(key).catch(() => null);
    if (existing?.value === value) return existing.createRevision;
    throw error;
  }
  const existing = await store.get(key);
  if (existing?.value !== value) throw new Error(`descriptor ${key} already exists with other content`);
  return existing.createRevision;
}

/** Every recorded descriptor with the store revision that recorded it (orders uploads and cuts). */
export async function loadDescriptors(store: MetadataStore, keys: ClusterKeys): Promise<Array<{ descriptor: ObjectDescriptor; revision: bigint }>> {
  const kvs = await store.list(keys.objectsPrefix);
  return kvs.map((kv) => ({ descriptor: decodeDescriptor(kv.value, kv.key), revision: kv.createRevision }));
}

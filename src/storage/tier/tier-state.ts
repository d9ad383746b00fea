/**
 * The cloud log start of each partition, kept in its partition-state key
 * ({ logStartOffset, ... } per keys.ts). Written with compare-and-swap on the key's revision
 * so fields other components keep in the same value survive, and through the epoch fence, so
 * only the partition's current leader moves it.
 */
import type { ClusterKeys } from '../../coordination/keys';
import type { KeyValue, MetadataStore } from '../../coordination/metadata-store';
import { EpochClaim, EpochFence, soleWriterFence } from './epoch-fence';

const CAS_ATTEMPTS_MAX = 10;

export async function saveLogStart(store: MetadataStore, keys: ClusterKeys, topic: string, partition: number, offset: bigint,
  fence: EpochFence = soleWriterFence(store), claim: EpochClaim | null = null): Promise<void> {
  const key = keys.partitionState(topic, partition);
  for (let attempt = 0; attempt < CAS_ATTEMPTS_MAX; attempt++) {
    const current = await store.get(key);
    const value = current ? JSON.parse(current.value) as Record<string, unknown> : {};
    if (typeof value.logStartOffset === 'string' && BigInt(value.logStartOffset) >= offset) return;
    value.logStartOffset = String(offset);
    const result = await fence.commit(claim ? [claim] : [], [{ type: 'put', key, value: JSON.stringify(value) }],
      [{ key, modRevision: current?.modRevision ?? 0n }]);
    if (result.succeeded) return;
  }
  throw new Error(`partition state ${key} kept changing; log start ${offset} not saved`);
}

export async function loadLogStarts(store: MetadataStore, keys: ClusterKeys): Promise<Array<{ topic: string; partition: number; logStartOffset: bigint }>> {
  const prefix = `${keys.root}partitions/`;
  const out: Array<{ topic: string; partition: number; logStartOffset: bigint }> = [];
  for (const kv of await store.list(prefix)) {
    const rest = kv.key.slice(prefix.length);
    const slash = rest.lastIndexOf('/');
    let value: Record<string, unknown>;
    try {
      value = JSON.parse(kv.value) as Record<string, unknown>;
    } catch {
      continue;
    }
    if (slash > 0 && typeof value.logStartOffset === 'string') {
      out.push({ topic: rest.slice(0, slash), partition: Number(rest.slice(slash + 1)), logStartOffset: BigInt(value.logStartOffset) });
    }
  }
  return out;
}

/**
 * Truncations below the uploaded end, one key each under `<root>/tier-cuts/` (not in keys.ts
 * yet): the key's create revision orders the cut against descriptor recordings.
 */
export function cutsPrefix(keys: ClusterKeys): string {
  return `${keys.root}tier-cuts/`;
}

/** Records a cut, fenced on the partition's claim (an ex-owner's cut would clip the new owner's ranges). */
export async function saveCut(store: MetadataStore, keys: ClusterKeys, topic: string, partition: number, offset: bigint,
  fence: EpochFence = soleWriterFence(store), claim: EpochClaim | null = null): Promise<bigint> {
  const key = `${cutsPrefix(keys)}${topic}/${partition}/${String(offset).padStart(20, '0')}-${Date.now()}-${Math.random().toString(16).slice(2, 10)}`;
  const result = await fence.commit(claim ? [claim] : [], [{ type: 'put', key, value: JSON.stringify({ offset: String(offset) }) }],
    [{ key, modRevision: 0n }]);
  return result.revision;
}

export interface Cut {
  topic: string;
  partition: number;
  offset: bigint;
  revision: bigint;
}

export function cutFromKv(keys: ClusterKeys, kv: KeyValue): Cut {
  const [topic, partition] = kv.key.slice(cutsPrefix(keys).length).split('/');
  return { topic, partition: Number(partition), offset: BigInt((JSON.parse(kv.value) as { offset: string }).offset), revision: kv.createRevision };
}

export async function loadCuts(store: MetadataStore, keys: ClusterKeys): Promise<Cut[]> {
  return (await store.list(cutsPrefix(keys))).map((kv) => cutFromKv(keys, kv));
}

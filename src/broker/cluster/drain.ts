/**
 * Draining a broker: `tributary admin broker drain ID` writes a request under
 * `<prefix>drain/<id>`; the broker watches that key and
 *   1. stops serving its partitions (requests get NOT_LEADER_OR_FOLLOWER, clients retry),
 *   2. uploads everything its partitions hold to object storage (both upload loops, once),
 *   3. sets its registration to `draining`, so the controller moves every partition away
 *      with a bumped leader epoch (new owners open from object storage at the exact end),
 *   4. answers `{ state: "done" }` once it owns nothing; it can then be stopped, nothing lost.
 * A broker deletes its own drain key when it starts, so a restarted broker serves again.
 */
import type { ClusterKeys } from '../../coordination/keys';
import type { MetadataStore } from '../../coordination/metadata-store';

export type DrainState = 'requested' | 'done' | 'failed';

export interface DrainRecord {
  state: DrainState;
  requestedAtMs: number;
  message?: string;
}

export function drainPrefix(keys: ClusterKeys): string {
  return `${keys.root}drain/`;
}

export function drainKey(keys: ClusterKeys, brokerId: number): string {
  return `${drainPrefix(keys)}${brokerId}`;
}

export async function writeDrain(store: MetadataStore, keys: ClusterKeys, brokerId: number, record: DrainRecord): Promise<void> {
  await store.txn([], [{ type: 'put', key: drainKey(keys, brokerId), value: JSON.stringify(record) }]);
}

export async function readDrain(store: MetadataStore, keys: ClusterKeys, brokerId: number): Promise<DrainRecord | null> {
  const kv = await store.get(drainKey(keys, brokerId));
  return kv ? JSON.parse(kv.value) as DrainRecord : null;
}

/**
 * The cluster id, created once (compare-and-swap on an absent key) and then read by every
 * broker. Kafka's form: a UUID as 22 characters of unpadded base64url.
 */
import { randomBytes } from 'node:crypto';
import type { ClusterKeys } from '../../coordination/keys';
import type { MetadataStore } from '../../coordination/metadata-store';

export async function ensureClusterId(store: MetadataStore, keys: ClusterKeys): Promise<string> {
  const existing = await store.get(keys.cluster);
  if (existing) return (JSON.parse(existing.value) as { clusterId: string }).clusterId;
  const clusterId = randomBytes(16).toString('base64url');
  const result = await store.txn([{ key: keys.cluster, modRevision: 0n }], [{ type: 'put', key: keys.cluster, value: JSON.stringify({ clusterId }) }]);
  if (result.succeeded) return clusterId;
  const winner = await store.get(keys.cluster);
  return (JSON.parse(winner!.value) as { clusterId: string }).clusterId;
}

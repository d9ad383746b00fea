/**
 * The object tier's epoch fence in cluster mode: the coordination layer's fencing (one
 * transaction comparing each partition's assignment value, which every move changes) with the
 * tier's partition names (topic ids) mapped to topic names. A topic that no longer exists has
 * no leader: its claims are fenced.
 */
import { createFencing, FencedError } from '../../coordination/fencing';
import type { ClusterKeys } from '../../coordination/keys';
import type { MetadataStore } from '../../coordination/metadata-store';
import { EpochClaim, EpochFence, EpochFencedError } from '../../storage/tier/epoch-fence';

export function clusterTierFence(store: MetadataStore, keys: ClusterKeys, brokerId: number,
  topicNameOf: (tierTopic: string) => string | null): EpochFence {
  const fencing = createFencing(store, keys, brokerId);
  return {
    async commit(claims, ops, compares) {
      const named = claims.map((claim) => ({ claim, topic: topicNameOf(claim.topic) }));
      const gone = named.filter((n) => n.topic === null).map((n) => n.claim);
      if (gone.length > 0) throw new EpochFencedError(gone, `topic ids ${[...new Set(gone.map((c) => c.topic))].join(', ')} no longer exist`);
      try {
        return await fencing.writeIfEpochs(named.map((n) => ({ ...n.claim, topic: n.topic as string })), ops, compares);
      } catch (error) {
        if (!(error instanceof FencedError)) throw error;
        const fenced: EpochClaim[] = named.filter((n) => error.fenced.some((f) =>
          f.topic === n.topic && f.partition === n.claim.partition && f.leaderEpoch === n.claim.leaderEpoch)).map((n) => n.claim);
        throw new EpochFencedError(fenced, error.message, { cause: error });
      }
    },
  };
}

/**
 * The broker's cluster role, chosen by metadata.store: embedded = one node leading everything
 * (SingleNodeCluster); etcd = a member of a multi-broker cluster (ClusterMembership). The
 * broker calls join() once its listener is bound (the advertised port is known then) and
 * close() after its partitions are flushed, so its registration goes last.
 */
import type { TributaryConfig } from '../../config/schema';
import type { ObjectTier } from '../../storage/tier/object-tier';
import type { ClusterKeys } from '../../coordination/keys';
import type { MetadataStore } from '../../coordination/metadata-store';
import type { PartitionLogOpener, PartitionRegistry } from '../partitions/partition-registry';
import { componentLogger } from '../../log';
import { ClusterLogOpener } from './cluster-log-opener';
import { ClusterMembership } from './cluster-membership';
import { type BrokerNode, type ClusterView, SingleNodeCluster } from './cluster-view';

const log = componentLogger('cluster-mode');

export interface ClusterMode {
  readonly view: ClusterView;
  /** Present in cluster mode. */
  readonly membership: ClusterMembership | null;
  /** The opener partitions use: in cluster mode, one that discards a local log from an earlier ownership. */
  logOpener(inner: PartitionLogOpener): PartitionLogOpener;
  join(partitions: PartitionRegistry, tier: ObjectTier | null): Promise<void>;
  close(): Promise<void>;
}

export async function openClusterMode(config: TributaryConfig, store: MetadataStore, keys: ClusterKeys,
  clusterId: string, self: BrokerNode): Promise<ClusterMode> {
  if (config.metadata.store !== 'etcd') {
    return { view: new SingleNodeCluster(clusterId, self), membership: null, logOpener: (inner) => inner, join: async () => undefined, close: async () => undefined };
  }
  const membership = await ClusterMembership.open(store, keys, clusterId, self, { leaseTtlMs: config.metadata.leaseTtlMs });
  let opener: ClusterLogOpener | null = null;
  return {
    view: membership.view,
    membership,
    logOpener: (inner) => (opener = new ClusterLogOpener(inner, membership.view, config.data.dir)),
    join: async (partitions, tier) => {
      // Unregistered, this broker serves no partition yet: the sweep cannot race an open.
      await sweepDeletedTopics(opener, store, keys);
      await membership.join(partitions, tier && {
        async uploadAll() {
          await tier.uploads.runOnce();
          await tier.commits.runOnce();
        },
        uploadedEnd: (topicId, partition) => tier.index.endOffset(topicId, partition),
      }, opener);
    },
    close: () => membership.close(),
  };
}

/** Local logs of topics deleted while this broker was away go; a failure only leaves them on disk. */
async function sweepDeletedTopics(opener: ClusterLogOpener | null, store: MetadataStore, keys: ClusterKeys): Promise<void> {
  try {
    const records = (await store.list(keys.topicsPrefix)).map((kv) => JSON.parse(kv.value) as { name: string; topicId: string });
    await opener?.sweep(new Map(records.map((r) => [r.name, r.topicId])));
  } catch (err) {
    log.warn({ err }, 'sweeping the local logs of deleted topics failed; they stay on disk');
  }
}

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
import { ClusterLogOpener } from './cluster-log-opener';
import { ClusterMembership } from './cluster-membership';
import { type BrokerNode, type ClusterView, SingleNodeCluster } from './cluster-view';

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
  return {
    view: membership.view,
    membership,
    logOpener: (inner) => new ClusterLogOpener(inner, membership.view, config.data.dir),
    join: (partitions, tier) => membership.join(partitions, tier && {
      async uploadAll() {
        await tier.uploads.runOnce();
        await tier.commits.runOnce();
      },
      uploadedEnd: (topicId, partition) => tier.index.endOffset(topicId, partition),
    }),
    close: () => membership.close(),
  };
}

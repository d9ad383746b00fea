/**
 * What a broker tells clients about the cluster: its brokers, the controller and the leader of
 * each partition. A single node leads every partition and is its own controller; a multi-broker
 * view (assignments in the MetadataStore) implements the same interface.
 */

export interface BrokerNode {
  nodeId: number;
  host: string;
  port: number;
  rack: string | null;
}

export interface ClusterView {
  readonly clusterId: string;
  readonly self: BrokerNode;
  brokers(): BrokerNode[];
  controllerId(): number;
  /** Node id leading the partition, or -1 when none is known. */
  leaderOf(topic: string, partition: number): number;
  /** Leader epoch of the partition as this broker knows it. */
  leaderEpochOf(topic: string, partition: number): number;
}

export class SingleNodeCluster implements ClusterView {
  constructor(readonly clusterId: string, readonly self: BrokerNode) {}

  brokers(): BrokerNode[] {
    return [this.self];
  }

  controllerId(): number {
    return this.self.nodeId;
  }

  leaderOf(): number {
    return this.self.nodeId;
  }

  leaderEpochOf(): number {
    return 0;
  }
}

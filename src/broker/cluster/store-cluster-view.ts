/**
 * The ClusterView of a broker in a multi-broker cluster: brokers, controller and partition
 * leaders come from the watched registrations and assignments in the MetadataStore, so every
 * broker answers Metadata identically. A partition's leader is reported only while its
 * assigned broker is registered (live): a dead owner's partitions show no leader (-1) until
 * the controller moves them, and clients retry. This broker counts itself as a leader only
 * while its own lease is held (see ClusterMembership.holdsLease).
 */
import type { ClusterState } from '../../coordination/cluster-state';
import type { BrokerNode, ClusterView } from './cluster-view';

export interface LeaseHolder {
  /** True while this broker's registration lease is held and the process was not paused past it. */
  holdsLease(): boolean;
  /** False while this broker hands the partition at this epoch off to another broker. */
  serves(topic: string, partition: number, leaderEpoch: number): boolean;
}

export class StoreClusterView implements ClusterView {
  constructor(
    readonly clusterId: string,
    readonly self: BrokerNode,
    private readonly state: ClusterState,
    private readonly lease: LeaseHolder,
  ) {}

  brokers(): BrokerNode[] {
    return this.state.brokers().map((b) => ({ nodeId: b.brokerId, host: b.host, port: b.port, rack: b.rack }));
  }

  /**
   * The elected controller when it is live; otherwise the lowest live broker id, because
   * clients require controller_id to be a listed node. kafkajs sends CreateTopics and
   * InitProducerId there, librdkafka InitProducerId to any broker; every broker serves both
   * (topic admin through the MetadataStore, see topic-admin-wait.ts; producer ids from blocks
   * reserved with compare-and-swap, see ProducerIdAllocator).
   */
  controllerId(): number {
    const live = this.state.brokers();
    const elected = this.state.controller()?.brokerId;
    if (elected !== undefined && live.some((b) => b.brokerId === elected)) return elected;
    return live[0]?.brokerId ?? this.self.nodeId;
  }

  leaderOf(topic: string, partition: number): number {
    const assignment = this.state.assignment(topic, partition);
    if (assignment === null) return -1;
    if (assignment.brokerId === this.self.nodeId) {
      return this.lease.holdsLease() && this.lease.serves(topic, partition, assignment.leaderEpoch) ? this.self.nodeId : -1;
    }
    return this.state.brokers().some((b) => b.brokerId === assignment.brokerId) ? assignment.brokerId : -1;
  }

  leaderEpochOf(topic: string, partition: number): number {
    return this.state.assignment(topic, partition)?.leaderEpoch ?? -1;
  }
}

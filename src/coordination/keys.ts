/**
 * The key layout of cluster metadata, in one place. Every key lives under a cluster prefix so
 * several clusters (and test runs) can share one etcd. Values are JSON.
 */
export function clusterKeys(clusterPrefix: string) {
  const root = clusterPrefix.endsWith('/') ? clusterPrefix : `${clusterPrefix}/`;
  return {
    root,
    /** Cluster identity: { clusterId } */
    cluster: `${root}cluster`,
    /** Leased broker registrations: { brokerId, host, port, rack, state } */
    brokersPrefix: `${root}brokers/`,
    broker: (brokerId: number) => `${root}brokers/${brokerId}`,
    /** Leased broker load reports (broker-load.ts): { brokerId, messagesInPerSec, sampledAtMs } */
    brokerLoadsPrefix: `${root}loads/`,
    brokerLoad: (brokerId: number) => `${root}loads/${brokerId}`,
    /** Controller election key prefix. */
    controller: `${root}controller`,
    /** Topic config: { name, topicId, partitions, configs } */
    topicsPrefix: `${root}topics/`,
    topic: (name: string) => `${root}topics/${name}`,
    /** Partition assignment: { brokerId, leaderEpoch } */
    assignmentsPrefix: `${root}assignments/`,
    assignment: (topic: string, partition: number) => `${root}assignments/${topic}/${partition}`,
    /** Partition state: { logStartOffset, cloudEndOffset, ... } */
    partitionState: (topic: string, partition: number) => `${root}partitions/${topic}/${partition}`,
    /** Object-store descriptors: one key per uploaded object. */
    objectsPrefix: `${root}objects/`,
    object: (objectKey: string) => `${root}objects/${objectKey}`,
    /** Committed group offsets: { offset, metadata, leaderEpoch, commitTimestampMs } */
    groupOffsetsPrefix: (groupId: string) => `${root}groups/${groupId}/offsets/`,
    groupOffset: (groupId: string, topic: string, partition: number) =>
      `${root}groups/${groupId}/offsets/${topic}/${partition}`,
    /** A group's coordinator epoch (src/broker/groups/coordinator-fence.ts): { brokerId, coordinatorEpoch } */
    groupCoordinator: (groupId: string) => `${root}groups/${groupId}/coordinator`,
    /** Producer id allocation block: { nextProducerId } */
    producerIds: `${root}producer-ids`,
    /** Native subscription cursors: { ackedRanges, ... } */
    subscription: (topic: string, subscription: string) => `${root}subscriptions/${topic}/${subscription}`,
    subscriptionsPrefix: `${root}subscriptions/`,
    /** Native namespaces with their policies. */
    namespace: (name: string) => `${root}namespaces/${name}`,
    namespacesPrefix: `${root}namespaces/`,
  };
}

export type ClusterKeys = ReturnType<typeof clusterKeys>;

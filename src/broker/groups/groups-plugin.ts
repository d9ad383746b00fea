/**
 * The consumer-group plugin: loads committed offsets, starts the group coordinator and adds
 * its Kafka handlers (FindCoordinator, JoinGroup, SyncGroup, Heartbeat, LeaveGroup,
 * OffsetCommit, OffsetFetch, DescribeGroups, ListGroups, DeleteGroups, OffsetDelete).
 */
import type { BrokerPlugin, BrokerServices, PluginInstance } from '../services';
import { deleteGroupsHandler } from '../kafka/handlers/delete-groups';
import { describeGroupsHandler } from '../kafka/handlers/describe-groups';
import { findCoordinatorHandler } from '../kafka/handlers/find-coordinator';
import { heartbeatHandler } from '../kafka/handlers/heartbeat';
import { joinGroupHandler } from '../kafka/handlers/join-group';
import { leaveGroupHandler } from '../kafka/handlers/leave-group';
import { listGroupsHandler } from '../kafka/handlers/list-groups';
import { offsetCommitHandler } from '../kafka/handlers/offset-commit';
import { offsetDeleteHandler } from '../kafka/handlers/offset-delete';
import { offsetFetchHandler } from '../kafka/handlers/offset-fetch';
import { syncGroupHandler } from '../kafka/handlers/sync-group';
import { coordinatorFence } from './coordinator-fence';
import { coordinatorFor } from './coordinator-locator';
import { GroupCoordinator } from './group-coordinator';
import type { GroupServices } from './group-services';
import type { MembershipConfig } from './membership';
import { OffsetStore } from './offset-store';

export const groupHandlerFactories = [
  findCoordinatorHandler, joinGroupHandler, syncGroupHandler, heartbeatHandler, leaveGroupHandler, offsetCommitHandler,
  offsetFetchHandler, describeGroupsHandler, listGroupsHandler, deleteGroupsHandler, offsetDeleteHandler,
];

/** Group services over a broker's services (cluster view, topics, metadata store). */
export async function openGroupServices(services: BrokerServices, membership: Partial<MembershipConfig> = {}): Promise<GroupServices> {
  const partitionExists = (topic: string, partition: number) => {
    const record = services.topics.get(topic);
    return record !== undefined && Number.isInteger(partition) && partition >= 0 && partition < record.partitions;
  };
  // Cluster mode: offset writes compare the group's coordinator epoch and this broker's registration (coordinator-fence.ts).
  const fence = services.config.metadata.store === 'etcd'
    ? await coordinatorFence(services.store, services.keys, services.cluster.self.nodeId) : null;
  const offsets = await OffsetStore.open(services.store, services.keys, undefined, fence);
  const coordinatorNode = (key: string) => coordinatorFor(key, services.cluster.brokers());
  /** Another broker took the group from this one moments ago: views differ (or lag here), and it serves the group. */
  const movedAway = (groupId: string) => (fence?.movedTo(groupId) ?? null) !== null;
  const coordinatesHere = (groupId: string) => coordinatorNode(groupId)?.nodeId === services.cluster.self.nodeId && !movedAway(groupId);
  const coordinator = new GroupCoordinator(offsets, { membership, partitionExists, coordinates: coordinatesHere });
  // Another broker claimed a group held here: its state goes at once, not at its members' next request.
  fence?.onLost((groupId) => coordinator.drop(groupId));
  return {
    coordinator,
    coordinatorNode,
    coordinates: (groupId) => {
      const mine = coordinatesHere(groupId);
      // Checked before every group request: state of a group another broker serves is dropped, never
      // answered from (an empty view, e.g. while etcd is away, names no broker and drops nothing).
      if (!mine && coordinatorNode(groupId) !== null) coordinator.drop(groupId);
      return mine;
    },
    topicName: (topicId) => services.topics.getById(topicId)?.name,
    partitionExists,
  };
}

/** Timing comes from the `groups` config section; `membership` overrides it (tests). */
export function groupsPlugin(membership: Partial<MembershipConfig> = {}): BrokerPlugin {
  return {
    name: 'consumer-groups',
    async start(services: BrokerServices): Promise<PluginInstance> {
      const groups = await openGroupServices(services, { ...services.config.groups, ...membership });
      return {
        kafkaHandlers: groupHandlerFactories.map((factory) => factory(groups)),
        close: () => groups.coordinator.close(),
      };
    },
  };
}

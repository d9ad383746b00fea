/**
 * What the group handlers need besides the coordinator: whether this broker coordinates a
 * group (else NOT_COORDINATOR, so clients look the coordinator up again), the coordinator node
 * to name in FindCoordinator, and topic lookups for OffsetCommit/OffsetFetch/OffsetDelete.
 */
import type { CoordinatorNode } from './coordinator-locator';
import type { GroupCoordinator } from './group-coordinator';

export interface GroupServices {
  readonly coordinator: GroupCoordinator;
  /** The broker coordinating this key (group id), or null when no broker is known. */
  coordinatorNode(key: string): CoordinatorNode | null;
  /** Whether this broker coordinates the group. */
  coordinates(groupId: string): boolean;
  /** The name of a topic id (KIP-848 versions name topics by id), or undefined. */
  topicName(topicId: string): string | undefined;
  partitionExists(topic: string, partition: number): boolean;
}

/** Kafka shows a member's host as "/" + address. */
export function clientHostOf(remote: string): string {
  const colon = remote.lastIndexOf(':');
  return `/${colon > 0 ? remote.slice(0, colon) : remote}`;
}

/** A topic named by name (all versions) or, in KIP-848 versions, by id; undefined when neither resolves. */
export function topicNameOf(topic: { name?: string | null; topicId?: string }, groups: GroupServices): string | undefined {
  if (topic.name) return topic.name;
  return topic.topicId ? groups.topicName(topic.topicId) : undefined;
}

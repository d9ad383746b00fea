/**
 * Which broker serves a native topic: the leader of its partition 0 in the cluster view. A
 * single node serves everything; in a cluster a non-owner refuses with notOwner and LOOKUP
 * redirects to the owner's advertised address.
 */
import type { BrokerServices } from '../services';
import { NativeError } from './native-error';

export type Ownership =
  | { kind: 'self' }
  | { kind: 'other'; address: string }
  /** The topic exists but nobody serves it right now (a handoff, a drain, a lost lease, a dead owner). */
  | { kind: 'none' };

export function ownershipOf(services: BrokerServices, kafkaTopic: string): Ownership {
  const leader = services.cluster.leaderOf(kafkaTopic, 0);
  if (leader === services.cluster.self.nodeId) return { kind: 'self' };
  // A topic not created yet has no leader either; the handler creates it here and checks again
  // before its first write (SEND), so only an existing topic without a leader is "none".
  if (leader < 0) return services.topics.get(kafkaTopic) ? { kind: 'none' } : { kind: 'self' };
  const node = services.cluster.brokers().find((b) => b.nodeId === leader);
  return node ? { kind: 'other', address: `${node.host}:${node.port}` } : { kind: 'none' };
}

/** The owner's address when another broker serves the topic, else null. */
export function ownerAddress(services: BrokerServices, kafkaTopic: string): string | null {
  const owner = ownershipOf(services, kafkaTopic);
  return owner.kind === 'other' ? owner.address : null;
}

/**
 * Refuses unless this broker serves the topic now. "Nobody right now" must not count as this
 * broker: during a handoff the old owner still has the log open to upload it, and a write
 * accepted then could be acknowledged and lost at the new owner. serviceNotReady is retriable.
 */
export function requireOwnership(services: BrokerServices, kafkaTopic: string): void {
  const owner = ownershipOf(services, kafkaTopic);
  if (owner.kind === 'other') throw new NativeError('notOwner', `topic ${kafkaTopic} is served by ${owner.address}; look it up again`);
  if (owner.kind === 'none') throw new NativeError('serviceNotReady', `topic ${kafkaTopic} has no serving broker right now (moving or failing over); retry`);
}

/**
 * Which broker serves a native topic: the leader of its partition 0 in the cluster view. A
 * single node serves everything; in a cluster a non-owner refuses with notOwner and LOOKUP
 * redirects to the owner's advertised address.
 */
import type { BrokerServices } from '../services';
import { NativeError } from './native-error';

export function ownerAddress(services: BrokerServices, kafkaTopic: string): string | null {
  const leader = services.cluster.leaderOf(kafkaTopic, 0);
  if (leader < 0 || leader === services.cluster.self.nodeId) return null;
  const node = services.cluster.brokers().find((b) => b.nodeId === leader);
  return node ? `${node.host}:${node.port}` : null;
}

export function requireOwnership(services: BrokerServices, kafkaTopic: string): void {
  const owner = ownerAddress(services, kafkaTopic);
  if (owner !== null) throw new NativeError('notOwner', `topic ${kafkaTopic} is served by ${owner}; look it up again`);
}

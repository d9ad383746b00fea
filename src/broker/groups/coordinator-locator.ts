/**
 * Which broker coordinates a group. On one broker, itself. In a cluster, rendezvous
 * (highest-random-weight) hashing over the live brokers: each broker gets a weight
 * hash(group id, node id) and the highest weight wins (lowest node id on a tie). Every broker
 * computes the same answer from the same broker list, in any order, and when a broker joins or
 * leaves only the groups it wins or held move; a modulo hash would move almost every group.
 */
export interface CoordinatorNode {
  nodeId: number;
  host: string;
  port: number;
}

/** FNV-1a over the UTF-16 code units of the key. */
function keyHash(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

/** murmur3's 32-bit finalizer: every input bit flips about half of the output bits. */
function mix(value: number): number {
  let h = value >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** The rendezvous weight of one broker for one key. */
export function rendezvousWeight(keyHashValue: number, nodeId: number): number {
  return mix(keyHashValue ^ mix(Math.imul(nodeId, 0x9e3779b1) + 0x7f4a7c15));
}

export function coordinatorFor<T extends CoordinatorNode>(key: string, brokers: T[]): T | null {
  const hash = keyHash(key);
  let best: T | null = null;
  let bestWeight = -1;
  for (const broker of brokers) {
    const weight = rendezvousWeight(hash, broker.nodeId);
    if (weight > bestWeight || (weight === bestWeight && best !== null && broker.nodeId < best.nodeId)) {
      best = broker;
      bestWeight = weight;
    }
  }
  return best;
}

/**
 * Which broker coordinates a group. On one broker, itself. In a cluster the group id is hashed
 * over the live brokers sorted by node id (as Kafka hashes it over __consumer_offsets
 * partitions), so every broker computes the same answer from the same broker list.
 */
export interface CoordinatorNode {
  nodeId: number;
  host: string;
  port: number;
}

/** Java String.hashCode, so the spread matches Kafka's Utils.abs(groupId.hashCode). */
function javaHashCode(text: string): number {
  let hash = 0;
  for (let i = 0; i < text.length; i++) hash = (Math.imul(hash, 31) + text.charCodeAt(i)) | 0;
  return hash;
}

export function coordinatorFor<T extends CoordinatorNode>(key: string, brokers: T[]): T | null {
  if (brokers.length === 0) return null;
  const sorted = [...brokers].sort((a, b) => a.nodeId - b.nodeId);
  // Kafka Utils.abs: Integer.MIN_VALUE maps to 0.
  const hash = javaHashCode(key) & 0x7fffffff;
  return sorted[hash % sorted.length];
}

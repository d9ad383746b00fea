import type { ClusterKeys } from './keys';
import type { MetadataStore } from './metadata-store';

/**
 * Partition assignments: keys.assignment(topic, partition) -> { brokerId, leaderEpoch }.
 * The value is always written by encodeAssignment, so "this broker at this epoch" is one exact
 * string that fencing.ts can compare in a transaction.
 */
export interface PartitionAssignment {
  topic: string;
  partition: number;
  brokerId: number;
  leaderEpoch: number;
}

export interface StoredAssignment extends PartitionAssignment {
  modRevision: bigint;
}

export function encodeAssignment(brokerId: number, leaderEpoch: number): string {
  return JSON.stringify({ brokerId, leaderEpoch });
}

/** topic and partition of an assignment key, or null for a key that is not one. */
export function parseAssignmentKey(keys: ClusterKeys, key: string): { topic: string; partition: number } | null {
  if (!key.startsWith(keys.assignmentsPrefix)) return null;
  const rest = key.slice(keys.assignmentsPrefix.length);
  const slash = rest.lastIndexOf('/');
  const partition = Number(rest.slice(slash + 1));
  if (slash <= 0 || !Number.isInteger(partition) || partition < 0) return null;
  return { topic: rest.slice(0, slash), partition };
}

export function decodeAssignment(keys: ClusterKeys, key: string, value: string, modRevision: bigint): StoredAssignment | null {
  const where = parseAssignmentKey(keys, key);
  if (where === null) return null;
  const { brokerId, leaderEpoch } = JSON.parse(value) as { brokerId: number; leaderEpoch: number };
  return { ...where, brokerId, leaderEpoch, modRevision };
}

export async function listAssignments(store: MetadataStore, keys: ClusterKeys): Promise<StoredAssignment[]> {
  const kvs = await store.list(keys.assignmentsPrefix);
  return kvs.flatMap((kv) => decodeAssignment(keys, kv.key, kv.value, kv.modRevision) ?? []);
}

export interface AssignmentPlanInput {
  /**
   * placement: the broker an operator named for each partition (CreateTopics / CreatePartitions
   * manual assignments), null where none was named; honoured when the partition is first assigned.
   */
  topics: Array<{ name: string; partitions: number; placement?: Array<number | null> }>;
  /** Brokers that may take partitions (registered and running). */
  eligibleBrokerIds: number[];
  /** Brokers still registered (a partition on a live but draining broker moves; on a starting one it stays). */
  liveBrokerIds: number[];
  /** Brokers being drained: their partitions move to eligible brokers. */
  drainingBrokerIds: number[];
  assignments: StoredAssignment[];
  /**
   * Load of each broker (messages in per second, broker-load.ts): the tie-break between brokers
   * with as many partitions. A broker without a report counts as 0.
   */
  brokerLoads?: ReadonlyMap<number, number>;
}

/** A write of the plan: a new owner (leaderEpoch bumped) or the removal of a deleted partition's assignment. */
export type AssignmentChange =
  | { type: 'assign'; topic: string; partition: number; brokerId: number; leaderEpoch: number; expectedModRevision: bigint; pinned?: true }
  | { type: 'remove'; topic: string; partition: number; expectedModRevision: bigint };

/**
 * Pure planning: every partition without a live owner (new topic, dead or draining broker) goes
 * to the eligible broker with the fewest partitions (ties: the lowest load as last reported, then
 * the lowest id); assignments of deleted
 * topics or partitions are removed. Partitions on healthy brokers never move. A partition
 * assigned for the first time goes to the broker its topic's placement names, if that broker
 * can take partitions, and is pinned there (partition-pin.ts: the rebalancer leaves it, as Kafka
 * keeps a manual replica assignment); if it cannot, placement falls back to the least loaded.
 */
export function planAssignments(input: AssignmentPlanInput): AssignmentChange[] {
  const live = new Set(input.liveBrokerIds);
  const draining = new Set(input.drainingBrokerIds);
  const partitionsOf = new Map(input.topics.map((topic) => [topic.name, topic.partitions]));
  const current = new Map(input.assignments.map((a) => [`${a.topic}/${a.partition}`, a]));
  const counts = new Map(input.eligibleBrokerIds.map((id) => [id, 0]));
  const loads = new Map(input.eligibleBrokerIds.map((id) => [id, input.brokerLoads?.get(id) ?? 0]));
  const changes: AssignmentChange[] = [];
  for (const a of input.assignments) {
    if (a.partition >= (partitionsOf.get(a.topic) ?? 0)) {
      changes.push({ type: 'remove', topic: a.topic, partition: a.partition, expectedModRevision: a.modRevision });
    } else if (counts.has(a.brokerId)) {
      counts.set(a.brokerId, (counts.get(a.brokerId) ?? 0) + 1);
    }
  }
  const sortedTopics = [...input.topics].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const topic of sortedTopics) {
    for (let partition = 0; partition < topic.partitions; partition++) {
      const existing = current.get(`${topic.name}/${partition}`);
      if (existing && live.has(existing.brokerId) && !draining.has(existing.brokerId)) continue;
      const named = existing ? null : topic.placement?.[partition] ?? null;
      const placed = named !== null && counts.has(named);
      const target = placed ? named : leastLoaded(counts, loads);
      if (target === null) return changes;
      counts.set(target, (counts.get(target) ?? 0) + 1);
      changes.push({
        type: 'assign', topic: topic.name, partition, brokerId: target,
        leaderEpoch: existing ? existing.leaderEpoch + 1 : 0, expectedModRevision: existing?.modRevision ?? 0n,
        ...(placed ? { pinned: true as const } : {}),
      });
    }
  }
  return changes;
}

/** Fewest partitions, then lowest load, then lowest id. */
function leastLoaded(counts: Map<number, number>, loads: Map<number, number>): number | null {
  let best: number | null = null;
  for (const [id, count] of counts) {
    if (best === null) {
      best = id;
      continue;
    }
    const bestCount = counts.get(best)!;
    const load = loads.get(id)!;
    const bestLoad = loads.get(best)!;
    if (count < bestCount || (count === bestCount && (load < bestLoad || (load === bestLoad && id < best)))) best = id;
  }
  return best;
}

import type { StoredAssignment } from './assignment';

export interface RebalanceInput {
  /** Running brokers (registered, not draining): the partitions counted and the brokers moves come from. */
  runningBrokerIds: number[];
  /** Running brokers registered long enough to receive partitions (a flapping broker is never one). */
  settledBrokerIds: number[];
  /** Brokers whose partitions must not move (e.g. they refused a handoff: nothing to upload to). */
  pinnedBrokerIds?: number[];
  /** Partitions an operator moved ("topic/partition", partition-pin.ts): counted where they are, never moved. */
  pinnedPartitions?: string[];
  assignments: StoredAssignment[];
  movesMax: number;
  /** Messages in per second of each broker (broker-load.ts): breaks ties in partition count. */
  brokerLoads?: ReadonlyMap<number, number>;
}

/** One handoff to ask for: the partition stays with `from` at `leaderEpoch` until `from` has uploaded. */
export interface PartitionMove {
  topic: string;
  partition: number;
  from: number;
  to: number;
  leaderEpoch: number;
  expectedModRevision: bigint;
}

/**
 * Pure planning of one rebalancing round: up to movesMax partitions go from the most loaded
 * running broker to the least loaded settled one (by partition count; on equal counts the higher
 * reported load gives, the lower takes; then the lowest id), until partition counts
 * differ by at most one. A move is only planned while the gap is at least two, so applying a
 * plan can never make the next plan move a partition back (no oscillation). From a source, the
 * partition chosen is of the topic the target holds fewest of (then the source most of), so a
 * topic's partitions spread too. A pinned partition counts toward its broker's load but stays:
 * the source is the most loaded broker that has a movable partition.
 */
export function planRebalance(input: RebalanceInput): PartitionMove[] {
  const pinned = new Set(input.pinnedBrokerIds ?? []);
  const pinnedPartitions = new Set(input.pinnedPartitions ?? []);
  const movable = (a: StoredAssignment) => !pinnedPartitions.has(`${a.topic}/${a.partition}`);
  const held = new Map<number, StoredAssignment[]>(input.runningBrokerIds.map((id) => [id, []]));
  for (const a of input.assignments) held.get(a.brokerId)?.push(a);
  const targets = input.settledBrokerIds.filter((id) => held.has(id));
  const moves: PartitionMove[] = [];
  while (moves.length < input.movesMax) {
    const sources = [...held.keys()].filter((id) => !pinned.has(id) && held.get(id)!.some(movable));
    const load = (id: number) => input.brokerLoads?.get(id) ?? 0;
    const source = pick(sources, held, (a, b) => held.get(a)!.length - held.get(b)!.length || load(a) - load(b));
    const target = pick(targets, held, (a, b) => held.get(b)!.length - held.get(a)!.length || load(b) - load(a));
    if (source === null || target === null) break;
    const from = held.get(source)!;
    const to = held.get(target)!;
    if (from.length - to.length < 2) break;
    const chosen = choosePartition(from.filter(movable), from, to);
    from.splice(from.indexOf(chosen), 1);
    to.push(chosen);
    moves.push({ topic: chosen.topic, partition: chosen.partition, from: source, to: target,
      leaderEpoch: chosen.leaderEpoch, expectedModRevision: chosen.modRevision });
  }
  return moves;
}

/** The broker ranked highest by `rank` (positive: a beats b), lowest id on ties. */
function pick(ids: number[], held: Map<number, StoredAssignment[]>, rank: (a: number, b: number) => number): number | null {
  let best: number | null = null;
  for (const id of [...ids].sort((a, b) => a - b)) {
    if (held.has(id) && (best === null || rank(id, best) > 0)) best = id;
  }
  return best;
}

/** Among `candidates` (movable partitions of `from`): the one of the topic `to` holds fewest of, then `from` most of. */
function choosePartition(candidates: StoredAssignment[], from: StoredAssignment[], to: StoredAssignment[]): StoredAssignment {
  const countBy = (list: StoredAssignment[]) => {
    const counts = new Map<string, number>();
    for (const a of list) counts.set(a.topic, (counts.get(a.topic) ?? 0) + 1);
    return counts;
  };
  const fromCounts = countBy(from);
  const toCounts = countBy(to);
  const rank = (a: StoredAssignment): [number, number, string, number] =>
    [toCounts.get(a.topic) ?? 0, -(fromCounts.get(a.topic) ?? 0), a.topic, -a.partition];
  let best = candidates[0];
  for (const candidate of candidates.slice(1)) {
    if (compareRanks(rank(candidate), rank(best)) < 0) best = candidate;
  }
  return best;
}

function compareRanks(a: [number, number, string, number], b: [number, number, string, number]): number {
  for (let i = 0; i < a.length; i++) {
    if (a[i] < b[i]) return -1;
    if (a[i] > b[i]) return 1;
  }
  return 0;
}

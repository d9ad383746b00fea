import { expect } from 'chai';
import type { StoredAssignment } from '../../src/coordination/assignment';
import { type PartitionMove, planRebalance, type RebalanceInput } from '../../src/coordination/rebalance-plan';

function spread(brokers: number[], topic: string, partitions: number): StoredAssignment[] {
  return Array.from({ length: partitions }, (_, p) =>
    ({ topic, partition: p, brokerId: brokers[p % brokers.length], leaderEpoch: p, modRevision: BigInt(100 + p) }));
}

function input(overrides: Partial<RebalanceInput>): RebalanceInput {
  return { runningBrokerIds: [1, 2, 3], settledBrokerIds: [1, 2, 3], assignments: [], movesMax: 100, ...overrides };
}

/** Applies moves to the assignments, as the controller does once each handoff completes. */
function apply(assignments: StoredAssignment[], moves: PartitionMove[]): StoredAssignment[] {
  return assignments.map((a) => {
    const move = moves.find((m) => m.topic === a.topic && m.partition === a.partition);
    return move ? { ...a, brokerId: move.to, leaderEpoch: a.leaderEpoch + 1, modRevision: a.modRevision + 1000n } : a;
  });
}

function counts(assignments: StoredAssignment[], brokers: number[]): number[] {
  return brokers.map((id) => assignments.filter((a) => a.brokerId === id).length);
}

describe('Rebalancing planning', () => {
  it('moves partitions from the loaded brokers to a joined one until counts differ by at most one', () => {
    const assignments = spread([1, 2], 't', 12);
    const moves = planRebalance(input({ assignments }));
    expect(moves).to.have.length(4);
    for (const m of moves) {
      const owned = assignments.find((a) => a.topic === m.topic && a.partition === m.partition)!;
      expect(m).to.include({ from: owned.brokerId, to: 3, leaderEpoch: owned.leaderEpoch, expectedModRevision: owned.modRevision });
    }
    expect(counts(apply(assignments, moves), [1, 2, 3])).to.deep.equal([4, 4, 4]);
  });

  it('moves at most movesMax per round, and successive rounds converge without moving anything back', () => {
    let assignments = spread([1, 2], 't', 13);
    const rounds: PartitionMove[][] = [];
    for (;;) {
      const moves = planRebalance(input({ assignments, movesMax: 2 }));
      if (moves.length === 0) break;
      expect(moves.length).to.be.at.most(2);
      for (const m of moves) expect(m.to).to.equal(3);
      rounds.push(moves);
      assignments = apply(assignments, moves);
    }
    expect(rounds.map((r) => r.length)).to.deep.equal([2, 2]);
    const final = counts(assignments, [1, 2, 3]);
    expect(Math.max(...final) - Math.min(...final)).to.be.at.most(1);
  });

  it('leaves a cluster whose counts differ by one alone', () => {
    expect(planRebalance(input({ assignments: spread([1, 2, 3], 't', 7) }))).to.deep.equal([]);
  });

  it('moves nothing to a broker not registered long enough', () => {
    expect(planRebalance(input({ assignments: spread([1, 2], 't', 12), settledBrokerIds: [1, 2] }))).to.deep.equal([]);
  });

  it('never takes partitions from a pinned broker (one that refused a handoff)', () => {
    const assignments = [...spread([1], 't', 6), ...spread([2], 'u', 2)];
    const moves = planRebalance(input({ assignments, pinnedBrokerIds: [1] }));
    expect(moves.map((m) => [m.topic, m.from, m.to])).to.deep.equal([['u', 2, 3]]);
  });

  it('counts only running brokers: partitions of a draining broker are not rebalanced', () => {
    const assignments = [...spread([1], 't', 6), ...spread([2], 'u', 1)];
    const moves = planRebalance(input({ assignments, runningBrokerIds: [2, 3], settledBrokerIds: [2, 3] }));
    expect(moves).to.deep.equal([]);
  });

  it('spreads each topic: the joined broker gets partitions of the topics it holds fewest of', () => {
    const assignments = [...spread([1, 2], 'a', 4), ...spread([1, 2], 'b', 4)];
    const moves = planRebalance(input({ assignments }));
    expect(moves.map((m) => m.topic).sort()).to.deep.equal(['a', 'b']);
  });

  it('on equal partition counts takes from the busier broker and gives to the idler one', () => {
    const assignments = [...spread([1, 2], 't', 8), ...spread([3], 'u', 1)];
    const moves = planRebalance(input({ runningBrokerIds: [1, 2, 3, 4], settledBrokerIds: [1, 2, 3, 4], assignments,
      movesMax: 1, brokerLoads: new Map([[1, 10], [2, 700], [3, 30], [4, 5]]) }));
    expect(moves.map((m) => [m.from, m.to])).to.deep.equal([[2, 4]]);
    const idler = planRebalance(input({ runningBrokerIds: [1, 2, 3, 4], settledBrokerIds: [1, 2, 3, 4], assignments: spread([1], 't', 4),
      movesMax: 1, brokerLoads: new Map([[2, 300], [3, 100], [4, 200]]) }));
    expect(idler.map((m) => [m.from, m.to])).to.deep.equal([[1, 3]]);
  });

  it('plans the same moves whatever order brokers and assignments come in', () => {
    const assignments = [...spread([1, 2], 'a', 9), ...spread([2, 1], 'b', 5)];
    const one = planRebalance(input({ assignments }));
    const two = planRebalance(input({ assignments: [...assignments].reverse(), runningBrokerIds: [3, 2, 1], settledBrokerIds: [3, 1, 2] }));
    expect(two).to.deep.equal(one);
  });

  it('never moves a pinned partition, but counts it and balances with the others', () => {
    // A manual move left 3 / 5 on two brokers: the pinned partition stays, another one moves back.
    const assignments = [...spread([1], 't', 3), ...spread([2], 'u', 5)];
    const moves = planRebalance(input({ assignments, runningBrokerIds: [1, 2], settledBrokerIds: [1, 2], pinnedPartitions: ['u/4'] }));
    expect(moves).to.have.length(1);
    expect(moves[0]).to.include({ from: 2, to: 1 });
    expect(moves[0].partition).to.not.equal(4);
    expect(counts(apply(assignments, moves), [1, 2])).to.deep.equal([4, 4]);
  });

  it('takes from the most loaded broker that has a movable partition when the busiest holds only pinned ones', () => {
    const assignments = [...spread([1], 't', 5), ...spread([2], 'u', 4), ...spread([3], 'v', 1)];
    const pinned = ['t/0', 't/1', 't/2', 't/3', 't/4'];
    const moves = planRebalance(input({ assignments, pinnedPartitions: pinned }));
    expect(moves.map((m) => [m.topic, m.from, m.to])).to.deep.equal([['u', 2, 3]]);
    for (let round = apply(assignments, moves), i = 0; i < 5; i++) {
      const next = planRebalance(input({ assignments: round, pinnedPartitions: pinned }));
      for (const m of next) expect(pinned).to.not.include(`${m.topic}/${m.partition}`);
      round = apply(round, next);
    }
  });

  it('moves nothing when every partition of the loaded broker is pinned', () => {
    const assignments = [...spread([1], 't', 4), ...spread([2], 'u', 1)];
    const moves = planRebalance(input({ assignments, runningBrokerIds: [1, 2], settledBrokerIds: [1, 2], pinnedPartitions: ['t/0', 't/1', 't/2', 't/3'] }));
    expect(moves).to.deep.equal([]);
  });
});

import { expect } from 'chai';
import { type AssignmentPlanInput, parseAssignmentKey, planAssignments, type StoredAssignment } from '../../src/coordination/assignment';
import { clusterKeys } from '../../src/coordination/keys';

function owned(topic: string, partition: number, brokerId: number, leaderEpoch = 0): StoredAssignment {
  return { topic, partition, brokerId, leaderEpoch, modRevision: BigInt(10 + partition) };
}

function input(overrides: Partial<AssignmentPlanInput>): AssignmentPlanInput {
  return { topics: [], eligibleBrokerIds: [1, 2, 3], liveBrokerIds: [1, 2, 3], drainingBrokerIds: [], assignments: [], ...overrides };
}

describe('Partition assignment planning', () => {
  it('spreads a new topic round the brokers, fewest partitions first, lowest id on ties', () => {
    const changes = planAssignments(input({
      topics: [{ name: 't', partitions: 4 }, { name: 'u', partitions: 1 }], assignments: [owned('u', 0, 1)],
    }));
    expect(changes.map((c) => c.type === 'assign' && [c.partition, c.brokerId, c.leaderEpoch, c.expectedModRevision]))
      .to.deep.equal([[0, 2, 0, 0n], [1, 3, 0, 0n], [2, 1, 0, 0n], [3, 2, 0, 0n]]);
  });

  it('breaks ties in partition count by the load brokers report, then by lowest id', () => {
    const loads = new Map([[1, 900], [2, 50], [3, 400]]);
    const changes = planAssignments(input({ topics: [{ name: 't', partitions: 4 }], brokerLoads: loads }));
    expect(changes.map((c) => c.type === 'assign' && c.brokerId)).to.deep.equal([2, 3, 1, 2]);
    const countFirst = planAssignments(input({ topics: [{ name: 't', partitions: 1 }, { name: 'u', partitions: 2 }], brokerLoads: loads,
      assignments: [owned('u', 0, 2), owned('u', 1, 3)] }));
    expect(countFirst.map((c) => c.type === 'assign' && c.brokerId), 'count before load').to.deep.equal([1]);
    const unreported = planAssignments(input({ topics: [{ name: 't', partitions: 1 }], brokerLoads: new Map([[1, 10], [2, 10]]) }));
    expect(unreported.map((c) => c.type === 'assign' && c.brokerId), 'no report counts as 0').to.deep.equal([3]);
  });

  it('moves only the partitions of dead or draining brokers, bumping their epochs', () => {
    const changes = planAssignments(input({
      topics: [{ name: 't', partitions: 3 }],
      liveBrokerIds: [1, 2, 3],
      eligibleBrokerIds: [1, 2],
      drainingBrokerIds: [3],
      assignments: [owned('t', 0, 1, 4), owned('t', 1, 9, 2), owned('t', 2, 3, 7)],
    }));
    expect(changes).to.deep.equal([
      { type: 'assign', topic: 't', partition: 1, brokerId: 2, leaderEpoch: 3, expectedModRevision: 11n },
      { type: 'assign', topic: 't', partition: 2, brokerId: 1, leaderEpoch: 8, expectedModRevision: 12n },
    ]);
  });

  it('keeps partitions of a live broker that is still starting', () => {
    const changes = planAssignments(input({
      topics: [{ name: 't', partitions: 1 }], eligibleBrokerIds: [1], liveBrokerIds: [1, 2], assignments: [owned('t', 0, 2)],
    }));
    expect(changes).to.deep.equal([]);
  });

  it('removes assignments of deleted topics and of partitions past the count', () => {
    const changes = planAssignments(input({
      topics: [{ name: 't', partitions: 1 }], assignments: [owned('t', 0, 1), owned('t', 1, 2), owned('old', 0, 3)],
    }));
    expect(changes.map((c) => [c.type, c.topic, c.partition])).to.deep.equal([['remove', 't', 1], ['remove', 'old', 0]]);
  });

  it('places a new partition on the broker its topic names and pins it; falls back to the least loaded when that broker cannot take it', () => {
    const changes = planAssignments(input({
      topics: [{ name: 't', partitions: 4, placement: [3, 3, 7, null] }], eligibleBrokerIds: [1, 2, 3], liveBrokerIds: [1, 2, 3],
    }));
    expect(changes.map((c) => c.type === 'assign' && [c.partition, c.brokerId, c.pinned ?? false]))
      .to.deep.equal([[0, 3, true], [1, 3, true], [2, 1, false], [3, 2, false]]);
  });

  it('moves a placed partition off a dead broker like any other (placement is for the first assignment)', () => {
    const changes = planAssignments(input({
      topics: [{ name: 't', partitions: 1, placement: [3] }], eligibleBrokerIds: [1, 2], liveBrokerIds: [1, 2], assignments: [owned('t', 0, 3, 2)],
    }));
    expect(changes).to.deep.equal([{ type: 'assign', topic: 't', partition: 0, brokerId: 1, leaderEpoch: 3, expectedModRevision: 10n }]);
  });

  it('assigns nothing while no broker is eligible', () => {
    expect(planAssignments(input({ topics: [{ name: 't', partitions: 2 }], eligibleBrokerIds: [], liveBrokerIds: [] }))).to.deep.equal([]);
  });

  it('parses assignment keys and rejects other keys', () => {
    const keys = clusterKeys('/c');
    expect(parseAssignmentKey(keys, keys.assignment('a.b', 12))).to.deep.equal({ topic: 'a.b', partition: 12 });
    expect(parseAssignmentKey(keys, keys.topic('a'))).to.equal(null);
    expect(parseAssignmentKey(keys, `${keys.assignmentsPrefix}t/x`)).to.equal(null);
  });
});

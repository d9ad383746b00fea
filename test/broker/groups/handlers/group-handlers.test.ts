import { expect } from 'chai';
import { groupHandlerFactories, openGroupServices } from '../../../../src/broker/groups/groups-plugin';
import type { GroupServices } from '../../../../src/broker/groups/group-services';
import type { KafkaHandler } from '../../../../src/broker/kafka/handler';
import { ctx, testServices, TestServices } from '../../support/test-services';

const protocols = [{ name: 'range', metadata: Buffer.from([0, 0, 0, 0, 0, 1, 0, 1, 0x74, 0xff, 0xff, 0xff, 0xff]) }];

describe('Group handlers (requests mapped onto the coordinator, every version)', () => {
  let t: TestServices;
  let groups: GroupServices;
  let handlers: Map<number, KafkaHandler>;
  const call = (apiKey: number, version: number, request: unknown) => (handlers.get(apiKey) as KafkaHandler).handle(request, ctx(apiKey, version));

  beforeEach(async () => {
    t = await testServices();
    await t.services.topics.create({ name: 't', partitions: 4 });
    groups = await openGroupServices(t.services, { initialRebalanceDelayMs: 0 });
    handlers = new Map(groupHandlerFactories.map((f) => f(groups)).map((h) => [h.apiKey, h]));
  });
  afterEach(async () => {
    await groups.coordinator.close();
    await t.stop();
  });

  async function stableMember(version = 5) {
    const first = await call(11, version, { groupId: 'g', sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 10_000, memberId: '', groupInstanceId: null, protocolType: 'consumer', protocols });
    const memberId = first.errorCode === 79 ? first.memberId : first.memberId;
    const joined = first.errorCode === 79
      ? await call(11, version, { groupId: 'g', sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 10_000, memberId, groupInstanceId: null, protocolType: 'consumer', protocols })
      : first;
    const synced = await call(14, 3, { groupId: 'g', generationId: joined.generationId, memberId, assignments: [{ memberId, assignment: Buffer.from('a') }] });
    return { joined, synced, memberId };
  }

  it('names this broker as the coordinator of a group in v0, v2 and batched v4+, and refuses transaction keys clearly', async () => {
    expect(await call(10, 0, { key: 'g' })).to.include({ errorCode: 0, nodeId: 0, host: '127.0.0.1', port: 9092 });
    expect(await call(10, 2, { key: 'g', keyType: 0 })).to.include({ errorCode: 0, nodeId: 0, errorMessage: null });
    const batch = await call(10, 4, { keyType: 0, coordinatorKeys: ['a', 'b'] });
    expect(batch.coordinators.map((c: { key: string; nodeId: number }) => [c.key, c.nodeId])).to.deep.equal([['a', 0], ['b', 0]]);
    const txn = await call(10, 2, { key: 'tx', keyType: 1 });
    expect(txn).to.include({ errorCode: 42, nodeId: -1 });
    expect(txn.errorMessage).to.match(/transactions are not supported/);
  });

  it('asks v4+ joiners for a member id (79) and never v0-v3 joiners', async () => {
    const v5 = await call(11, 5, { groupId: 'g', sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 10_000, memberId: '', groupInstanceId: null, protocolType: 'consumer', protocols });
    expect(v5.errorCode).to.equal(79);
    expect(v5.memberId).to.match(/^test-/);
    expect(v5.protocolName).to.equal('');
    const v2 = await call(11, 2, { groupId: 'h', sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 10_000, memberId: '', protocolType: 'consumer', protocols });
    expect(v2).to.include({ errorCode: 0, generationId: 1, protocolName: 'range', leader: v2.memberId });
    expect(v2.members).to.have.length(1);
    const v7 = await call(11, 7, { groupId: 'x', sessionTimeoutMs: 1, rebalanceTimeoutMs: 1, memberId: '', groupInstanceId: null, protocolType: 'consumer', protocols });
    expect(v7).to.include({ errorCode: 26, protocolName: null });
  });

  it('runs the kafkajs sequence: join, sync, heartbeat, commit, fetch, leave', async () => {
    const { joined, synced, memberId } = await stableMember();
    expect(synced).to.include({ errorCode: 0 });
    expect(synced.assignment.toString()).to.equal('a');
    expect(await call(12, 3, { groupId: 'g', generationId: joined.generationId, memberId, groupInstanceId: null })).to.deep.equal({ throttleTimeMs: 0, errorCode: 0 });
    const commit = await call(8, 5, {
      groupId: 'g', generationId: joined.generationId, memberId, topics: [
        { name: 't', partitions: [{ partitionIndex: 0, committedOffset: 5n, committedMetadata: 'm' }, { partitionIndex: 9, committedOffset: 1n, committedMetadata: null }] },
        { name: 'nope', partitions: [{ partitionIndex: 0, committedOffset: 1n, committedMetadata: null }] },
      ],
    });
    expect(commit.topics.map((tp: { partitions: Array<{ errorCode: number }> }) => tp.partitions.map((p) => p.errorCode))).to.deep.equal([[0, 3], [3]]);
    const fetched = await call(9, 4, { groupId: 'g', topics: [{ name: 't', partitionIndexes: [0, 1] }] });
    expect(fetched.errorCode).to.equal(0);
    expect(fetched.topics[0].partitions).to.deep.equal([
      { partitionIndex: 0, committedOffset: 5n, committedLeaderEpoch: -1, metadata: 'm', errorCode: 0 },
      { partitionIndex: 1, committedOffset: -1n, committedLeaderEpoch: -1, metadata: '', errorCode: 0 },
    ]);
    expect(await call(13, 1, { groupId: 'g', memberId })).to.deep.include({ errorCode: 0 });
    expect((await call(13, 1, { groupId: 'g', memberId })).errorCode).to.equal(25);
  });

  it('fetches all committed topics with null topics (v2+) and several groups at once (v8+)', async () => {
    await call(8, 2, { groupId: 'a', generationId: -1, memberId: '', retentionTimeMs: -1n, topics: [{ name: 't', partitions: [{ partitionIndex: 1, committedOffset: -2n, committedMetadata: null }] }] });
    const all = await call(9, 2, { groupId: 'a', topics: null });
    expect(all.topics[0].partitions[0]).to.include({ partitionIndex: 1, committedOffset: -2n });
    const multi = await call(9, 8, { groups: [{ groupId: 'a', topics: null }, { groupId: 'b', topics: [{ name: 't', partitionIndexes: [0] }] }], requireStable: false });
    expect(multi.groups.map((g: { groupId: string; errorCode: number }) => [g.groupId, g.errorCode])).to.deep.equal([['a', 0], ['b', 0]]);
    expect(multi.groups[1].topics[0].partitions[0].committedOffset).to.equal(-1n);
  });

  it('leaves in batches from v3 with an error per member', async () => {
    const { memberId } = await stableMember();
    const left = await call(13, 3, { groupId: 'g', members: [{ memberId, groupInstanceId: null }, { memberId: 'ghost', groupInstanceId: null }] });
    expect(left.errorCode).to.equal(0);
    expect(left.members.map((m: { errorCode: number }) => m.errorCode)).to.deep.equal([0, 25]);
  });

  it('describes, lists (with state filters), deletes groups and deletes offsets', async () => {
    const { memberId } = await stableMember();
    const described = await call(15, 5, { groups: ['g', 'unknown'], includeAuthorizedOperations: false });
    expect(described.groups[0]).to.include({ errorCode: 0, groupState: 'Stable', protocolType: 'consumer', protocolData: 'range' });
    expect(described.groups[0].members[0]).to.include({ memberId, clientId: 'test', clientHost: '/127.0.0.1' });
    expect(described.groups[1]).to.include({ errorCode: 0, groupState: 'Dead' });
    expect((await call(16, 4, { statesFilter: ['stable'] })).groups.map((g: { groupId: string }) => g.groupId)).to.deep.equal(['g']);
    expect((await call(16, 4, { statesFilter: ['Empty'] })).groups).to.deep.equal([]);
    expect((await call(16, 5, { statesFilter: [], typesFilter: ['consumer'] })).groups).to.deep.equal([]);
    const offsetDelete = await call(47, 0, { groupId: 'g', topics: [{ name: 't', partitions: [{ partitionIndex: 0 }] }] });
    expect(offsetDelete.topics[0].partitions[0].errorCode).to.equal(86);
    expect((await call(42, 2, { groupsNames: ['g', 'unknown'] })).results.map((r: { errorCode: number }) => r.errorCode)).to.deep.equal([68, 69]);
    await call(13, 1, { groupId: 'g', memberId });
    await call(8, 5, { groupId: 'g', generationId: -1, memberId: '', topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 1n, committedMetadata: null }] }] });
    expect((await call(42, 2, { groupsNames: ['g'] })).results[0].errorCode).to.equal(0);
  });

  it('returns sync and heartbeat errors as Kafka codes', async () => {
    const { joined, memberId } = await stableMember();
    expect((await call(12, 1, { groupId: 'g', generationId: joined.generationId + 1, memberId })).errorCode).to.equal(22);
    expect((await call(14, 5, { groupId: 'g', generationId: joined.generationId, memberId, protocolType: 'consumer', protocolName: 'range', assignments: [] })))
      .to.include({ errorCode: 0, protocolType: 'consumer', protocolName: 'range' });
    expect((await call(14, 1, { groupId: 'g', generationId: joined.generationId, memberId: 'x', assignments: [] })).errorCode).to.equal(25);
  });
});

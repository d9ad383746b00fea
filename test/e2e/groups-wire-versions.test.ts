import { expect } from 'chai';
import { CodecClient } from './groups-codec-client';
import { InProcessBroker, kafkaClient, removeDir, startGroupsBroker, tempDataDir } from './groups-harness';

const protocols = [{ name: 'range', metadata: Buffer.from('subscription') }];

describe('Group APIs at their oldest and newest (flexible) wire versions (e2e)', function () {
  this.timeout(30_000);
  let dataDir: string;
  let broker: InProcessBroker;
  let client: CodecClient;

  beforeEach(async () => {
    dataDir = tempDataDir('wire');
    broker = await startGroupsBroker(dataDir, undefined, { initialRebalanceDelayMs: 0 });
    const admin = kafkaClient(broker.bootstrap).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'wire', numPartitions: 2 }] });
    await admin.disconnect();
    client = await CodecClient.connect(broker.port);
  });

  afterEach(async () => {
    client.close();
    await broker.close();
    removeDir(dataDir);
  });

  it('runs a whole group lifecycle at the newest versions (FindCoordinator v6 ... DeleteGroups v2)', async () => {
    const found = await client.request(10, 6, { keyType: 0, coordinatorKeys: ['new'] });
    expect(found.coordinators[0]).to.include({ key: 'new', nodeId: 0, port: broker.port, errorCode: 0 });
    const first = await client.request(11, 9, { groupId: 'new', sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 10_000, memberId: '', groupInstanceId: null, protocolType: 'consumer', protocols, reason: null });
    expect(first.errorCode).to.equal(79);
    const joined = await client.request(11, 9, { groupId: 'new', sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 10_000, memberId: first.memberId, groupInstanceId: null, protocolType: 'consumer', protocols, reason: null });
    expect(joined).to.include({ errorCode: 0, generationId: 1, protocolType: 'consumer', protocolName: 'range', leader: first.memberId, skipAssignment: false });
    expect(joined.members[0].metadata.toString()).to.equal('subscription');
    const memberId = first.memberId;
    const synced = await client.request(14, 5, { groupId: 'new', generationId: 1, memberId, groupInstanceId: null, protocolType: 'consumer', protocolName: 'range', assignments: [{ memberId, assignment: Buffer.from('mine') }] });
    expect(synced).to.include({ errorCode: 0, protocolType: 'consumer', protocolName: 'range' });
    expect(synced.assignment.toString()).to.equal('mine');
    expect((await client.request(12, 4, { groupId: 'new', generationId: 1, memberId, groupInstanceId: null })).errorCode).to.equal(0);
    const committed = await client.request(8, 9, { groupId: 'new', generationIdOrMemberEpoch: 1, memberId, groupInstanceId: null, topics: [{ name: 'wire', partitions: [{ partitionIndex: 1, committedOffset: -2n, committedLeaderEpoch: -1, committedMetadata: 'meta' }] }] });
    expect(committed.topics[0].partitions[0].errorCode).to.equal(0);
    const fetched = await client.request(9, 9, { groups: [{ groupId: 'new', memberId: null, memberEpoch: -1, topics: null }], requireStable: true });
    expect(fetched.groups[0].topics[0].partitions[0]).to.include({ partitionIndex: 1, committedOffset: -2n, metadata: 'meta', errorCode: 0 });
    const described = await client.request(15, 5, { groups: ['new'], includeAuthorizedOperations: false });
    expect(described.groups[0]).to.include({ groupState: 'Stable', protocolData: 'range' });
    const listed = await client.request(16, 5, { statesFilter: ['Stable'], typesFilter: ['classic'] });
    expect(listed.groups).to.deep.equal([{ groupId: 'new', protocolType: 'consumer', groupState: 'Stable', groupType: 'classic' }]);
    const left = await client.request(13, 5, { groupId: 'new', members: [{ memberId, groupInstanceId: null, reason: 'done' }] });
    expect(left.members[0]).to.include({ memberId, errorCode: 0 });
    const offsetDeleted = await client.request(47, 0, { groupId: 'new', topics: [{ name: 'wire', partitions: [{ partitionIndex: 1 }] }] });
    expect(offsetDeleted.topics[0].partitions[0].errorCode).to.equal(0);
    expect((await client.request(42, 2, { groupsNames: ['new'] })).results[0]).to.include({ groupId: 'new', errorCode: 0 });
    const producer = await client.request(22, 5, { transactionalId: null, transactionTimeoutMs: 60_000, producerId: -1n, producerEpoch: -1 });
    expect(producer).to.include({ errorCode: 0, producerEpoch: 0 });
  });

  it('serves the oldest versions (JoinGroup v0, SyncGroup v0, OffsetCommit v0/v1, OffsetFetch v0/v1, LeaveGroup v0, InitProducerId v0)', async () => {
    expect(await client.request(10, 0, { key: 'old' })).to.include({ errorCode: 0, nodeId: 0, port: broker.port });
    const joined = await client.request(11, 0, { groupId: 'old', sessionTimeoutMs: 10_000, memberId: '', protocolType: 'consumer', protocols });
    expect(joined).to.include({ errorCode: 0, generationId: 1, protocolName: 'range' });
    const { memberId } = joined;
    expect((await client.request(14, 0, { groupId: 'old', generationId: 1, memberId, assignments: [] })).errorCode).to.equal(0);
    expect((await client.request(12, 0, { groupId: 'old', generationId: 1, memberId })).errorCode).to.equal(0);
    const v1 = await client.request(8, 1, { groupId: 'old', generationIdOrMemberEpoch: 1, memberId, topics: [{ name: 'wire', partitions: [{ partitionIndex: 0, committedOffset: 12n, commitTimestamp: -1n, committedMetadata: null }] }] });
    expect(v1.topics[0].partitions[0].errorCode).to.equal(0);
    const fetched = await client.request(9, 1, { groupId: 'old', topics: [{ name: 'wire', partitionIndexes: [0, 1] }] });
    expect(fetched.topics[0].partitions.map((p: { committedOffset: bigint }) => p.committedOffset)).to.deep.equal([12n, -1n]);
    expect((await client.request(13, 0, { groupId: 'old', memberId })).errorCode).to.equal(0);
    const v0 = await client.request(8, 0, { groupId: 'old', topics: [{ name: 'wire', partitions: [{ partitionIndex: 1, committedOffset: 3n, committedMetadata: '' }] }] });
    expect(v0.topics[0].partitions[0].errorCode).to.equal(0);
    expect((await client.request(9, 0, { groupId: 'old', topics: [{ name: 'wire', partitionIndexes: [1] }] })).topics[0].partitions[0].committedOffset).to.equal(3n);
    expect(await client.request(22, 0, { transactionalId: null, transactionTimeoutMs: 60_000 })).to.include({ errorCode: 0, producerEpoch: 0 });
  });
});

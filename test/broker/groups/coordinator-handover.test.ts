import { expect } from 'chai';
import type { ClusterView } from '../../../src/broker/cluster/cluster-view';
import { coordinatorFence } from '../../../src/broker/groups/coordinator-fence';
import { coordinatorFor } from '../../../src/broker/groups/coordinator-locator';
import { GroupCoordinator } from '../../../src/broker/groups/group-coordinator';
import type { GroupServices } from '../../../src/broker/groups/group-services';
import { groupHandlerFactories, openGroupServices } from '../../../src/broker/groups/groups-plugin';
import { OffsetStore } from '../../../src/broker/groups/offset-store';
import type { KafkaHandler } from '../../../src/broker/kafka/handler';
import { EtcdMetadataStore } from '../../../src/coordination/etcd/etcd-store';
import { type ClusterKeys, clusterKeys } from '../../../src/coordination/keys';
import { COORDINATION_LIMITS, GROUP_LIMITS } from '../../../src/limits';
import { type EtcdServer, startEtcd } from '../../support/etcd';
import { eventually, put, uniquePrefix } from '../../coordination/helpers';
import { ctx, testServices } from '../support/test-services';
import { FakeClock } from './fake-clock';
import { joinInput } from './group-fixtures';

const NOT_COORDINATOR = 16;
const protocols = [{ name: 'range', metadata: Buffer.from([0, 0, 0, 0, 0, 1, 0, 1, 0x74, 0xff, 0xff, 0xff, 0xff]) }];
const node = (nodeId: number) => ({ nodeId, host: '127.0.0.1', port: 9000 + nodeId, rack: null });
/** A group that broker 2 coordinates once it sees brokers 1 and 2, while broker 1 alone sees only itself. */
const GROUP = Array.from({ length: 64 }, (_, i) => `handover-${i}`).find((g) => coordinatorFor(g, [node(1), node(2)])?.nodeId === 2)!;

interface TestBroker {
  groups: GroupServices;
  call(apiKey: number, version: number, request: unknown): Promise<any>;
}

describe('A group whose coordinator claim moves to another broker (real etcd)', function () {
  this.timeout(30_000);
  let etcd: EtcdServer;
  let keys: ClusterKeys;
  const closers: Array<() => Promise<void>> = [];

  before(async () => {
    etcd = await startEtcd();
  });
  beforeEach(() => {
    keys = clusterKeys(uniquePrefix('handover'));
  });
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close().catch(() => undefined);
  });
  after(async () => {
    await etcd?.stop();
  });

  async function connect(): Promise<EtcdMetadataStore> {
    const store = EtcdMetadataStore.connect(etcd.endpoints);
    closers.push(() => store.close());
    return store;
  }

  /** A registered cluster broker with its own etcd client, whose view lists `view` brokers. */
  async function broker(nodeId: number, view: number[]): Promise<TestBroker> {
    const store = await connect();
    await put(store, keys.broker(nodeId), JSON.stringify({ brokerId: nodeId }));
    const t = await testServices({ 'metadata.store': 'etcd' });
    closers.push(() => t.stop());
    await t.services.topics.create({ name: 't', partitions: 1 });
    const cluster: ClusterView = {
      clusterId: 'c', self: node(nodeId), brokers: () => view.map(node), controllerId: () => 1, leaderOf: () => nodeId, leaderEpochOf: () => 0,
    };
    const groups = await openGroupServices({ ...t.services, store, keys, cluster }, { initialRebalanceDelayMs: 0 });
    closers.push(() => groups.coordinator.close());
    const handlers = new Map(groupHandlerFactories.map((f) => f(groups)).map((h) => [h.apiKey, h]));
    return { groups, call: (apiKey, version, request) => (handlers.get(apiKey) as KafkaHandler).handle(request, ctx(apiKey, version)) };
  }

  const join = (b: TestBroker, memberId: string) => b.call(11, 5, {
    groupId: GROUP, sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 10_000, memberId, groupInstanceId: null, protocolType: 'consumer', protocols,
  });
  const sync = (b: TestBroker, generationId: number, memberId: string) => b.call(14, 3, { groupId: GROUP, generationId, memberId, assignments: [{ memberId, assignment: Buffer.from('a') }] });
  const heartbeat = (b: TestBroker, generationId: number, memberId: string) => b.call(12, 3, { groupId: GROUP, generationId, memberId, groupInstanceId: null });
  const commit = async (b: TestBroker, generationId: number, memberId: string, offset: bigint) => {
    const answer = await b.call(8, 5, { groupId: GROUP, generationId, memberId, topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: offset, committedMetadata: null }] }] });
    return answer.topics[0].partitions[0].errorCode as number;
  };
  const fetchOffset = async (b: TestBroker) => (await b.call(9, 4, { groupId: GROUP, topics: [{ name: 't', partitionIndexes: [0] }] })).topics[0].partitions[0].committedOffset as bigint;

  /** A member that joined (v5: MEMBER_ID_REQUIRED first) and synced: Stable at its generation. */
  async function stableMember(b: TestBroker) {
    const { memberId } = await join(b, '');
    const joined = await join(b, memberId);
    expect(joined.errorCode, 'join').to.equal(0);
    expect((await sync(b, joined.generationId, memberId)).errorCode, 'sync').to.equal(0);
    return { memberId, generationId: joined.generationId as number };
  }

  async function claimOf(store: EtcdMetadataStore, groupId: string) {
    const kv = await store.get(keys.groupCoordinator(encodeURIComponent(groupId)));
    return kv && JSON.parse(kv.value) as { brokerId: number; coordinatorEpoch: number };
  }

  it('the old coordinator drops members, generation and parked calls and answers NOT_COORDINATOR; the new one serves with the offsets', async () => {
    // Broker 2 has just joined: its view names it the coordinator, broker 1's view has not caught up.
    const old = await broker(1, [1]);
    const successor = await broker(2, [1, 2]);
    const reader = await connect();
    const first = await stableMember(old);
    expect(await claimOf(reader, GROUP), 'claimed at the first join').to.deep.equal({ brokerId: 1, coordinatorEpoch: 0 });
    expect(await commit(old, first.generationId, first.memberId, 5n)).to.equal(0);
    // A second member's join parks until the first rejoins: a call the old coordinator must answer when it loses the group.
    const { memberId: second } = await join(old, '');
    const parked = join(old, second);

    const { memberId: newcomer } = await join(successor, '');
    const joined = await join(successor, newcomer);
    expect(joined).to.include({ errorCode: 0, generationId: 1, leader: newcomer });
    expect(await claimOf(reader, GROUP)).to.deep.equal({ brokerId: 2, coordinatorEpoch: 1 });

    expect((await parked).errorCode, 'the parked join').to.equal(NOT_COORDINATOR);
    expect((await join(old, first.memberId)).errorCode, 'JoinGroup').to.equal(NOT_COORDINATOR);
    expect((await join(old, '')).errorCode, 'JoinGroup of a new member').to.equal(NOT_COORDINATOR);
    expect((await sync(old, first.generationId, first.memberId)).errorCode, 'SyncGroup').to.equal(NOT_COORDINATOR);
    expect((await heartbeat(old, first.generationId, first.memberId)).errorCode, 'Heartbeat').to.equal(NOT_COORDINATOR);
    expect(await commit(old, first.generationId, first.memberId, 3n), 'OffsetCommit').to.equal(NOT_COORDINATOR);
    expect(await commit(old, -1, '', 3n), 'OffsetCommit outside the group').to.equal(NOT_COORDINATOR);
    const [described] = old.groups.coordinator.describe([GROUP]);
    expect(described.members, 'no member is left on the old coordinator').to.deep.equal([]);
    expect(described.state).to.be.oneOf(['Empty', 'Dead']);

    // The new coordinator serves the group, starting from the offsets committed through the old one.
    expect(await fetchOffset(successor)).to.equal(5n);
    expect((await sync(successor, joined.generationId, newcomer)).errorCode).to.equal(0);
    expect((await heartbeat(successor, joined.generationId, newcomer)).errorCode).to.equal(0);
    expect(await commit(successor, joined.generationId, newcomer, 9n)).to.equal(0);
    expect(await fetchOffset(successor)).to.equal(9n);
    expect(await claimOf(reader, GROUP), 'no write of the old coordinator took the claim back').to.deep.equal({ brokerId: 2, coordinatorEpoch: 1 });
  });

  it('ListGroups on each broker names only the groups it coordinates, though every broker sees every group\'s offsets', async () => {
    const one = await broker(1, [1, 2]);
    const two = await broker(2, [1, 2]);
    const ofOne = Array.from({ length: 64 }, (_, i) => `listed-${i}`).find((g) => coordinatorFor(g, [node(1), node(2)])?.nodeId === 1)!;
    const commitTo = (b: TestBroker, groupId: string) => b.call(8, 2, {
      groupId, generationId: -1, memberId: '', retentionTimeMs: -1n, topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 1n, committedMetadata: null }] }],
    });
    expect((await commitTo(two, GROUP)).topics[0].partitions[0].errorCode).to.equal(0);
    expect((await commitTo(one, ofOne)).topics[0].partitions[0].errorCode).to.equal(0);
    const listed = async (b: TestBroker) => (await b.call(16, 4, { statesFilter: [] })).groups.map((g: { groupId: string }) => g.groupId);
    await eventually(() => one.groups.coordinator.fetchOffsets(GROUP, null).length === 1, 5000, 'broker 1 sees the offsets committed through broker 2');
    await eventually(() => two.groups.coordinator.fetchOffsets(ofOne, null).length === 1, 5000, 'broker 2 sees the offsets committed through broker 1');
    expect(await listed(one)).to.deep.equal([ofOne]);
    expect(await listed(two)).to.deep.equal([GROUP]);
  });

  it('a coordinator told by a refused write that it no longer coordinates drops the group (its registration expired)', async () => {
    const old = await broker(1, [1]);
    const reader = await connect();
    const first = await stableMember(old);
    await reader.txn([], [{ type: 'delete', key: keys.broker(1) }]);
    await eventually(async () => await commit(old, first.generationId, first.memberId, 7n) === NOT_COORDINATOR, 5000, 'the commit is refused');
    expect(old.groups.coordinator.describe([GROUP])[0].members).to.deep.equal([]);
    expect((await heartbeat(old, first.generationId, first.memberId)).errorCode, 'the member must rejoin').to.not.equal(0);
    expect((await join(old, '')).errorCode, 'an unregistered broker admits no member').to.equal(NOT_COORDINATOR);
  });

  it('DeleteGroups deletes the group\'s claim with its offsets', async () => {
    const coordinator = await broker(1, [1]);
    const reader = await connect();
    const { memberId, generationId } = await stableMember(coordinator);
    expect(await commit(coordinator, generationId, memberId, 4n)).to.equal(0);
    expect((await coordinator.call(13, 1, { groupId: GROUP, memberId })).errorCode).to.equal(0);
    expect((await coordinator.call(42, 2, { groupsNames: [GROUP] })).results[0].errorCode).to.equal(0);
    expect(await claimOf(reader, GROUP)).to.equal(null);
    expect(await reader.list(keys.groupOffsetsPrefix(encodeURIComponent(GROUP)))).to.deep.equal([]);
    // The group starts again from nothing, under a fresh claim.
    await stableMember(coordinator);
    expect(await claimOf(reader, GROUP)).to.deep.equal({ brokerId: 1, coordinatorEpoch: 0 });
  });

  it('DeleteGroups of a group with more offsets than one transaction holds deletes the claim after them all', async () => {
    const store = await connect();
    await put(store, keys.broker(1), JSON.stringify({ brokerId: 1 }));
    const coordinator = new GroupCoordinator(await OffsetStore.open(store, keys, undefined, await coordinatorFence(store, keys, 1)));
    closers.push(() => coordinator.close());
    const partitions = Array.from({ length: COORDINATION_LIMITS.txnOpsMax * 2 + 5 }, (_, partition) => ({ topic: 't', partition, offset: 1n, leaderEpoch: -1, metadata: null }));
    const committed = await coordinator.commitOffsets({ groupId: 'big', generationId: -1, memberId: '', groupInstanceId: null, offsets: partitions });
    expect(committed.every((r) => r.error === null)).to.equal(true);
    expect(await claimOf(store, 'big')).to.deep.equal({ brokerId: 1, coordinatorEpoch: 0 });
    expect(await coordinator.deleteGroups(['big'])).to.deep.equal([{ groupId: 'big', error: null }]);
    expect(await claimOf(store, 'big')).to.equal(null);
    expect(await store.list(keys.groupOffsetsPrefix('big'))).to.deep.equal([]);
  });

  it('an Empty group without offsets that expires takes its claim along, and never another broker\'s', async () => {
    const store = await connect();
    await put(store, keys.broker(1), JSON.stringify({ brokerId: 1 }));
    const clock = new FakeClock();
    const coordinator = new GroupCoordinator(await OffsetStore.open(store, keys, undefined, await coordinatorFence(store, keys, 1)), { clock, membership: { initialRebalanceDelayMs: 0 } });
    closers.push(() => coordinator.close());
    const member = async (groupId: string) => {
      const joined = await coordinator.join(joinInput({ groupId }));
      expect(joined.error).to.equal(null);
      coordinator.leave(groupId, [{ memberId: joined.memberId, groupInstanceId: null }]);
    };
    await member('expiring');
    await member('taken');
    expect(await claimOf(store, 'expiring')).to.deep.equal({ brokerId: 1, coordinatorEpoch: 0 });
    // Another broker claimed 'taken' meanwhile (this broker has not seen it yet when the group expires here).
    await store.txn([], [{ type: 'put', key: keys.groupCoordinator('taken'), value: JSON.stringify({ brokerId: 2, coordinatorEpoch: 1 }) }]);
    await clock.advance(GROUP_LIMITS.emptyGroupRetentionMs);
    await eventually(async () => await claimOf(store, 'expiring') === null, 5000, 'the expired group\'s claim is deleted');
    expect(await claimOf(store, 'taken')).to.deep.equal({ brokerId: 2, coordinatorEpoch: 1 });
  });

  it('drops a group whose claim another broker deleted (the group was deleted there) without holding it off', async () => {
    const store = await connect();
    await put(store, keys.broker(1), JSON.stringify({ brokerId: 1 }));
    const fence = await coordinatorFence(store, keys, 1);
    const offsets = await OffsetStore.open(store, keys, undefined, fence);
    closers.push(() => offsets.close());
    const lost: string[] = [];
    fence.onLost((groupId) => lost.push(groupId));
    await offsets.claim('g');
    await store.txn([], [{ type: 'delete', key: keys.groupCoordinator('g') }]);
    await eventually(() => lost.length > 0, 5000, 'the watch reports the deleted claim');
    expect(lost).to.deep.equal(['g']);
    expect(fence.holds('g')).to.equal(false);
    expect(fence.movedTo('g'), 'no broker to send members to').to.equal(null);
  });

  it('answers a group taken from it NOT_COORDINATOR only for movedGroupHoldMs, then claims it anew when its view names it', async () => {
    const store = await connect();
    await put(store, keys.broker(1), JSON.stringify({ brokerId: 1 }));
    let nowMs = 1000;
    const fence = await coordinatorFence(store, keys, 1, () => nowMs);
    const offsets = await OffsetStore.open(store, keys, undefined, fence);
    closers.push(() => offsets.close());
    const lost: string[] = [];
    fence.onLost((groupId) => lost.push(groupId));
    await offsets.claim('g');
    expect(fence.holds('g')).to.equal(true);
    await store.txn([], [{ type: 'put', key: keys.groupCoordinator('g'), value: JSON.stringify({ brokerId: 2, coordinatorEpoch: 1 }) }]);
    await eventually(() => lost.length > 0, 5000, 'the watch reports the lost claim');
    expect(lost).to.deep.equal(['g']);
    expect(fence.holds('g')).to.equal(false);
    expect(fence.movedTo('g')).to.equal(2);
    nowMs += GROUP_LIMITS.movedGroupHoldMs;
    expect(fence.movedTo('g')).to.equal(null);
    // Named by its view again, it claims the group anew before admitting members: the next epoch.
    await offsets.claim('g');
    expect(fence.holds('g')).to.equal(true);
    expect(await claimOf(store, 'g')).to.deep.equal({ brokerId: 1, coordinatorEpoch: 2 });
  });
});

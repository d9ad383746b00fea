import { expect } from 'chai';
import { electController } from '../../src/coordination/controller';
import { EtcdMetadataStore } from '../../src/coordination/etcd/etcd-store';
import { answerHandoff, decodeHandoff, handoffsPrefix, listHandoffs, type StoredHandoff } from '../../src/coordination/handoff';
import type { ClusterKeys } from '../../src/coordination/keys';
import { startPartitionAssigner } from '../../src/coordination/partition-assigner';
import type { RebalanceLimits } from '../../src/coordination/rebalancer';
import { COORDINATION_LIMITS } from '../../src/limits';
import { type EtcdServer, startEtcd } from '../support/etcd';
import { ControllerFixture, type OwnerAnswer } from './controller-fixture';
import { eventually, sleep } from './helpers';

const LIMITS: RebalanceLimits = { movesPerRoundMax: 2, pauseMs: 100, brokerAgeMsMin: 600, handoffMsMax: 1500 };
const TTL_MS = COORDINATION_LIMITS.etcdLeaseTtlMsMin * 3;

describe('Rebalancing partitions onto a joined broker (etcd)', function () {
  this.timeout(30_000);
  let etcd: EtcdServer;
  let controllerClient: EtcdMetadataStore;
  let brokerClient: EtcdMetadataStore;
  let keys: ClusterKeys;
  let fixture: ControllerFixture;
  const cleanups: Array<() => Promise<void>> = [];
  /** Every handoff request seen, and the most ever open at once. */
  let requests: StoredHandoff[];
  let openMax: number;

  before(async () => {
    etcd = await startEtcd();
    controllerClient = EtcdMetadataStore.connect(etcd.endpoints);
    brokerClient = EtcdMetadataStore.connect(etcd.endpoints);
  });
  after(async () => {
    await controllerClient?.close();
    await brokerClient?.close();
    await etcd?.stop();
  });
  beforeEach(async () => {
    fixture = new ControllerFixture('rebalance', controllerClient, brokerClient, LIMITS);
    keys = fixture.keys;
    cleanups.push(() => fixture.cleanup());
    requests = [];
    openMax = 0;
    const open = new Set<string>();
    const watch = await brokerClient.watch(handoffsPrefix(keys), (event) => {
      if (event.type === 'delete') open.delete(event.key);
      const handoff = event.type === 'put' ? decodeHandoff(keys, event.kv) : null;
      if (handoff?.state !== 'requested') return;
      requests.push(handoff);
      open.add(handoff.key);
      openMax = Math.max(openMax, open.size);
    });
    cleanups.push(() => watch.cancel());
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  });

  const broker = (brokerId: number) => fixture.broker(brokerId);
  const controller = (limits: Partial<RebalanceLimits> = {}) => fixture.controller(limits);
  const owners = (answer: OwnerAnswer) => fixture.owners(answer);
  const topic = (name: string, partitions: number) => fixture.topic(name, partitions);
  const assignments = () => fixture.assignments();
  const countOn = (brokerId: number) => fixture.countOn(brokerId);

  it('hands a joined broker its share, a bounded number at a time, bumping each moved epoch', async () => {
    await broker(1);
    await broker(2);
    await owners('ready');
    await controller();
    await topic('t', 12);
    const before = await assignments();
    expect(before.filter((a) => a.brokerId === 1)).to.have.length(6);
    const joinedAtMs = Date.now();
    await broker(3);
    await eventually(async () => (await countOn(3)) === 4, 15_000, 'broker 3 to own 4 partitions');
    expect(Date.now() - joinedAtMs).to.be.at.least(LIMITS.brokerAgeMsMin);
    await sleep(LIMITS.pauseMs * 5);
    const after = await assignments();
    expect([1, 2, 3].map((id) => after.filter((a) => a.brokerId === id).length)).to.deep.equal([4, 4, 4]);
    for (const [i, a] of after.entries()) {
      expect(a.leaderEpoch, `partition ${i}`).to.equal(a.brokerId === before[i].brokerId ? before[i].leaderEpoch : before[i].leaderEpoch + 1);
    }
    expect(requests.map((r) => r.to)).to.deep.equal([3, 3, 3, 3]);
    expect(openMax).to.equal(LIMITS.movesPerRoundMax);
    expect(await listHandoffs(brokerClient, keys)).to.deep.equal([]);
  });

  it('moves nothing to a broker that leaves again before it was registered long enough', async () => {
    await broker(1);
    await owners('ready');
    await controller();
    await topic('t', 4);
    const flapping = await broker(2);
    await sleep(LIMITS.brokerAgeMsMin / 2);
    await flapping.deregister();
    await broker(2);
    await sleep(LIMITS.brokerAgeMsMin / 2);
    expect(requests).to.deep.equal([]);
    await eventually(async () => (await countOn(2)) === 2, 10_000, 'the broker, once settled, to receive its share');
  });

  it('cancels a handoff the owner never answers, leaving the partition where it was', async () => {
    await broker(1);
    await owners('never');
    await controller();
    await topic('t', 2);
    const before = await assignments();
    await broker(2);
    await eventually(() => requests.length === 1, 10_000, 'a handoff request');
    await eventually(async () => (await listHandoffs(brokerClient, keys)).length === 0, 10_000, 'the request to be cancelled');
    expect(await assignments()).to.deep.equal(before);
  });

  it('stops asking a broker that refused a handoff until it registers again', async () => {
    await broker(1);
    await owners('refused');
    await controller();
    await topic('t', 4);
    await broker(2);
    await eventually(() => requests.length === LIMITS.movesPerRoundMax, 10_000, 'a round of handoff requests');
    await eventually(async () => (await listHandoffs(brokerClient, keys)).length === 0, 10_000, 'the refused requests to be cleared');
    await sleep(LIMITS.pauseMs * 10);
    expect(requests).to.have.length(LIMITS.movesPerRoundMax);
    expect(await countOn(1)).to.equal(4);
  });

  it('lets a new controller complete the handoffs its predecessor requested', async () => {
    await broker(1);
    await owners('never');
    const first = await electController(controllerClient, keys, 1, { ttlMs: TTL_MS });
    const firstAssigner = await startPartitionAssigner(controllerClient, keys, first, { rebalance: LIMITS });
    cleanups.push(async () => { await firstAssigner.stop(); await first.resign(); });
    await topic('t', 4);
    const before = await assignments();
    await broker(2);
    await eventually(() => requests.length === 2, 10_000, 'a round of handoff requests');
    await firstAssigner.stop();
    await first.resign();
    const second = await electController(brokerClient, keys, 2, { ttlMs: TTL_MS });
    const secondAssigner = await startPartitionAssigner(brokerClient, keys, second, { rebalance: LIMITS });
    cleanups.push(async () => { await secondAssigner.stop(); await second.resign(); });
    await eventually(() => second.isController(), 10_000, 'the second controller elected');
    for (const handoff of await listHandoffs(brokerClient, keys)) expect(await answerHandoff(brokerClient, keys, handoff, 'ready')).to.equal(true);
    await eventually(async () => (await countOn(2)) === 2, 10_000, 'the handed-off partitions on broker 2');
    for (const a of (await assignments()).filter((x) => x.brokerId === 2)) expect(a.leaderEpoch).to.equal(before[a.partition].leaderEpoch + 1);
    expect(requests).to.have.length(2);
  });

  it('requests no handoff while a broker is draining', async () => {
    await broker(1);
    const second = await broker(2);
    await owners('ready');
    await controller();
    await topic('t', 6);
    await second.setState('draining');
    await eventually(async () => (await countOn(1)) === 6, 10_000, 'the drained partitions on broker 1');
    await broker(3);
    await sleep(LIMITS.brokerAgeMsMin * 2);
    expect(requests).to.deep.equal([]);
  });
});

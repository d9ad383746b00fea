import { expect } from 'chai';
import { encodeAssignment, type StoredAssignment } from '../../src/coordination/assignment';
import type { RegisteredBroker } from '../../src/coordination/broker-registry';
import { EtcdMetadataStore } from '../../src/coordination/etcd/etcd-store';
import { decodeHandoff, handoffsPrefix, listHandoffs, NO_OBJECT_STORE, type StoredHandoff } from '../../src/coordination/handoff';
import type { ClusterKeys } from '../../src/coordination/keys';
import { listPins } from '../../src/coordination/partition-pin';
import type { RebalanceLimits } from '../../src/coordination/rebalancer';
import { movePartition, type MoveRequest } from '../../src/cli/partition-move';
import { type EtcdServer, startEtcd } from '../support/etcd';
import { ControllerFixture, type OwnerAnswer } from '../coordination/controller-fixture';
import { eventually, put, sleep } from '../coordination/helpers';

const LIMITS: RebalanceLimits = { movesPerRoundMax: 2, pauseMs: 100, brokerAgeMsMin: 300, handoffMsMax: 5000 };

describe('Moving a partition by hand (admin partition move, etcd)', function () {
  this.timeout(30_000);
  let etcd: EtcdServer;
  let controllerClient: EtcdMetadataStore;
  let brokerClient: EtcdMetadataStore;
  let adminClient: EtcdMetadataStore;
  let keys: ClusterKeys;
  let fixture: ControllerFixture;
  let requests: StoredHandoff[];
  let progress: string[];

  before(async () => {
    etcd = await startEtcd();
    controllerClient = EtcdMetadataStore.connect(etcd.endpoints);
    brokerClient = EtcdMetadataStore.connect(etcd.endpoints);
    adminClient = EtcdMetadataStore.connect(etcd.endpoints);
  });
  after(async () => {
    await Promise.all([controllerClient, brokerClient, adminClient].map((c) => c?.close()));
    await etcd?.stop();
  });
  beforeEach(async () => {
    fixture = new ControllerFixture('move', controllerClient, brokerClient, LIMITS);
    keys = fixture.keys;
    requests = [];
    progress = [];
    const watch = await brokerClient.watch(handoffsPrefix(keys), (event) => {
      const handoff = event.type === 'put' ? decodeHandoff(keys, event.kv) : null;
      if (handoff?.state === 'requested') requests.push(handoff);
    });
    fixture.onCleanup(() => watch.cancel());
  });
  afterEach(() => fixture.cleanup());

  const broker = (brokerId: number) => fixture.broker(brokerId);
  const assignments = () => fixture.assignments();

  /** Brokers 1 and 2, owners answering so, a controller, and topic t of 2 partitions (one each). */
  async function twoBrokers(answer: OwnerAnswer): Promise<{ before: StoredAssignment[]; onFirst: StoredAssignment; second: RegisteredBroker }> {
    await broker(1);
    const second = await broker(2);
    await fixture.owners(answer);
    await fixture.controller();
    await fixture.topic('t', 2);
    const before = await assignments();
    return { before, onFirst: before.find((a) => a.brokerId === 1)!, second };
  }

  function move(partition: number, to: number, options: Partial<MoveRequest> = {}) {
    return movePartition(adminClient, keys, { topic: 't', partition, to, force: false, timeoutMs: 10_000,
      progress: (line) => progress.push(line), ...options });
  }

  async function failure(moving: Promise<unknown>): Promise<string> {
    try {
      await moving;
    } catch (err) {
      return (err as Error).message;
    }
    throw new Error('the move succeeded');
  }

  it('hands the partition to the broker named, at the next epoch, and pins it there against rebalancing', async () => {
    for (const id of [1, 2, 3]) await broker(id);
    await fixture.owners('ready');
    await fixture.controller();
    await fixture.topic('t', 6);
    const before = await assignments();
    // The highest partition not on broker 2: among broker 2's partitions afterwards, the one the
    // planner would pick to move back (it prefers high partition numbers within a topic).
    const moved = before.filter((a) => a.brokerId !== 2).at(-1)!;
    expect(moved.partition, 'the moved partition ranks first to move back').to.be.above(Math.max(...before.filter((a) => a.brokerId === 2).map((a) => a.partition)));
    const from = moved.brokerId;
    const result = await move(moved.partition, 2);
    expect(result).to.include({ from, owner: 2, leaderEpoch: moved.leaderEpoch + 1, moved: true, pinned: true, via: 'handoff' });
    expect(requests[0]).to.include({ from, to: 2, leaderEpoch: moved.leaderEpoch, manual: true });
    expect(progress[0]).to.match(/handoff requested/);
    expect(progress.at(-1)).to.match(/broker 2 owns it at leader epoch/);
    // Counts 3 on broker 2 and 1 on the source are two apart: the rebalancer evens them out with another partition.
    await eventually(async () => (await fixture.countOn(from)) === 2, 10_000, 'the rebalancer to even the counts out');
    await sleep(LIMITS.pauseMs * 5);
    const after = await assignments();
    expect(after[moved.partition]).to.include({ brokerId: 2, leaderEpoch: moved.leaderEpoch + 1 });
    expect([1, 2, 3].map((id) => after.filter((a) => a.brokerId === id).length)).to.deep.equal([2, 2, 2]);
    expect(requests.slice(1).map((r) => r.partition)).to.not.include(moved.partition);
    expect((await listPins(brokerClient, keys)).map((p) => [p.partition, p.brokerId])).to.deep.equal([[moved.partition, 2]]);
  });

  it('lets the pin go once the pinned broker leaves and its partitions move', async () => {
    const { onFirst, second } = await twoBrokers('ready');
    await move(onFirst.partition, 2);
    expect(await listPins(brokerClient, keys)).to.have.length(1);
    await second.deregister();
    await eventually(async () => (await fixture.countOn(1)) === 2, 10_000, 'broker 2\'s partitions on broker 1');
    await eventually(async () => (await listPins(brokerClient, keys)).length === 0, 10_000, 'the stale pin to be deleted');
  });

  it('refuses an unknown broker, a draining target, a partition already there and a partition that does not exist', async () => {
    const { onFirst, second } = await twoBrokers('ready');
    expect(await failure(move(onFirst.partition, 9))).to.equal('broker 9 is not registered (unknown, or not running); registered brokers: 1, 2');
    expect(await failure(move(onFirst.partition, 1))).to.match(new RegExp(`^t-${onFirst.partition} is already on broker 1 \\(leader epoch \\d+\\): nothing to move$`));
    expect(await failure(move(7, 2))).to.equal('topic t has 2 partitions (0-1): there is no partition 7');
    expect(await failure(movePartition(adminClient, keys, { topic: 'nope', partition: 0, to: 2, force: false, timeoutMs: 1000, progress: () => undefined })))
      .to.equal('topic nope does not exist');
    await second.setState('draining');
    expect(await failure(move(onFirst.partition, 2))).to.equal('broker 2 is draining: it cannot receive partitions');
    expect(requests).to.deep.equal([]);
  });

  it('cancels its request when the owner does not answer in time, leaving the partition where it was', async () => {
    const { before, onFirst } = await twoBrokers('never');
    const message = await failure(move(onFirst.partition, 2, { timeoutMs: 2500 }));
    expect(message).to.equal(`t-${onFirst.partition} was not handed to broker 2 within 2500 ms; the request was cancelled and broker 1 serves it again`);
    expect(progress).to.satisfy((lines: string[]) => lines.some((l) => /still waiting for broker 1 to upload \(\d s of at most 3 s\)$/.test(l)));
    expect(requests).to.have.length(1);
    expect(await listHandoffs(brokerClient, keys)).to.deep.equal([]);
    expect(await assignments()).to.deep.equal(before);
    expect(await listPins(brokerClient, keys)).to.deep.equal([]);
  });

  it('refuses when the owner has no object store, and with --force bumps the epoch directly and pins', async () => {
    const { before, onFirst } = await twoBrokers('no object store');
    const message = await failure(move(onFirst.partition, 2));
    expect(message).to.match(new RegExp(`^broker 1 refused to hand t-${onFirst.partition} off: ${NO_OBJECT_STORE} on broker 1; `
      + 'it serves the partition again\\. .*use --force to accept that$'));
    await eventually(async () => (await listHandoffs(brokerClient, keys)).length === 0, 5000, 'the refused request cleared');
    expect(await assignments()).to.deep.equal(before);

    const forced = await move(onFirst.partition, 2, { force: true });
    expect(forced).to.include({ from: 1, owner: 2, leaderEpoch: onFirst.leaderEpoch + 1, via: 'forced' });
    expect(requests).to.have.length(2);
    expect((await assignments())[onFirst.partition]).to.include({ brokerId: 2, leaderEpoch: onFirst.leaderEpoch + 1 });
    expect((await listPins(brokerClient, keys)).map((p) => [p.partition, p.brokerId, p.leaderEpoch]))
      .to.deep.equal([[onFirst.partition, 2, onFirst.leaderEpoch + 1]]);
  });

  it('moves a partition of a dead owner only with --force (nothing is left to upload it)', async () => {
    await broker(2);
    // No controller: the dead owner's assignment stays put while the command runs.
    await put(brokerClient, keys.topic('t'), JSON.stringify({ name: 't', topicId: 't', partitions: 1, configs: {} }));
    await put(brokerClient, keys.assignment('t', 0), encodeAssignment(5, 3));
    expect(await failure(move(0, 2))).to.match(/^the owner of t-0, broker 5, is not live, .* or use --force to move it now/);
    expect(await move(0, 2, { force: true })).to.include({ from: 5, owner: 2, leaderEpoch: 4, via: 'forced' });
  });
});

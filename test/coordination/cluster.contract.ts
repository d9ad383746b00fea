import { expect } from 'chai';
import { listAssignments, type StoredAssignment } from '../../src/coordination/assignment';
import { type RegisteredBroker, listBrokers, registerBroker } from '../../src/coordination/broker-registry';
import { type ControllerElection, controllerFence, electController } from '../../src/coordination/controller';
import { isCoordinationError } from '../../src/coordination/errors';
import { watchClusterState } from '../../src/coordination/cluster-state';
import { createFencing } from '../../src/coordination/fencing';
import { type ClusterKeys, clusterKeys } from '../../src/coordination/keys';
import type { MetadataStore } from '../../src/coordination/metadata-store';
import { type PartitionAssigner, startPartitionAssigner } from '../../src/coordination/partition-assigner';
import { eventually, put, uniquePrefix } from './helpers';

export interface ClusterUnderTest {
  /** A store client for one broker (the embedded store hands every broker the same one). The harness closes them. */
  client(): Promise<MetadataStore>;
  leaseTtlMs: number;
}

/** Registration, election, assignment and fencing: the same behaviour on every MetadataStore. */
export function clusterContract(name: string, setup: () => ClusterUnderTest): void {
  describe(`Cluster coordination: ${name}`, function () {
    this.timeout(30_000);
    let subject: ClusterUnderTest;
    let keys: ClusterKeys;
    const cleanups: Array<() => Promise<void>> = [];

    before(() => { subject = setup(); });
    beforeEach(() => { keys = clusterKeys(uniquePrefix('cluster')); });
    afterEach(async () => {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
    });

    async function broker(brokerId: number, state: 'running' | 'starting' = 'running', takeoverWaitMs = 0): Promise<RegisteredBroker> {
      const registered = await registerBroker(await subject.client(), keys,
        { brokerId, host: '127.0.0.1', port: 19000 + brokerId, rack: `rack-${brokerId % 2}`, state },
        { ttlMs: subject.leaseTtlMs, takeoverWaitMs });
      cleanups.push(() => registered.deregister());
      return registered;
    }

    async function candidate(brokerId: number): Promise<ControllerElection> {
      const election = await electController(await subject.client(), keys, brokerId, { ttlMs: subject.leaseTtlMs });
      cleanups.push(() => election.resign());
      return election;
    }

    async function assigner(election: ControllerElection): Promise<PartitionAssigner> {
      const started = await startPartitionAssigner(await subject.client(), keys, election);
      cleanups.push(() => started.stop());
      return started;
    }

    async function createTopic(topic: string, partitions: number): Promise<void> {
      await put(await subject.client(), keys.topic(topic), JSON.stringify({ name: topic, topicId: topic, partitions, configs: {} }));
    }

    async function ownersOf(topic: string): Promise<StoredAssignment[]> {
      const all = await listAssignments(await subject.client(), keys);
      return all.filter((a) => a.topic === topic).sort((a, b) => a.partition - b.partition);
    }

    function countsByBroker(assignments: StoredAssignment[]): Record<number, number> {
      const counts: Record<number, number> = {};
      for (const a of assignments) counts[a.brokerId] = (counts[a.brokerId] ?? 0) + 1;
      return counts;
    }

    it('lists registered brokers with their address, rack and state', async () => {
      await broker(2);
      const one = await broker(1, 'starting');
      await one.setState('running');
      expect(await listBrokers(await subject.client(), keys)).to.deep.equal([
        { brokerId: 1, host: '127.0.0.1', port: 19001, rack: 'rack-1', state: 'running' },
        { brokerId: 2, host: '127.0.0.1', port: 19002, rack: 'rack-0', state: 'running' },
      ]);
    });

    it('refuses a second broker with the same id, naming the live holder', async () => {
      await broker(7);
      const error = await broker(7).then(() => null, (e: unknown) => e);
      expect(isCoordinationError(error, 'DUPLICATE_BROKER_ID'), String(error)).to.equal(true);
      expect((error as Error).message).to.contain('broker id 7').and.contain('127.0.0.1:19007');
      expect(await listBrokers(await subject.client(), keys)).to.have.length(1);
    });

    it('lets a restarted broker take its id over once the old registration is gone', async () => {
      const old = await broker(3);
      const restarting = broker(3, 'running', subject.leaseTtlMs * 3);
      setTimeout(() => void old.deregister(), 200);
      const registered = await restarting;
      const stored = await (await subject.client()).get(keys.broker(3));
      expect(stored?.leaseId).to.equal(registered.lease.id);
    });

    it('elects exactly one controller among candidates, and all agree on it and its epoch', async () => {
      const elections = [await candidate(1), await candidate(2), await candidate(3)];
      expect(elections.filter((e) => e.isController())).to.have.length(1);
      const winner = elections.find((e) => e.isController())!;
      await eventually(() => elections.every((e) => e.current()?.epoch === winner.epoch), 5000, 'candidates to agree');
      expect(elections.map((e) => e.current()?.brokerId)).to.deep.equal([1, 1, 1]);
    });

    it('elects a new controller with a higher epoch when the controller resigns, fencing the old epoch', async () => {
      const first = await candidate(1);
      const second = await candidate(2);
      const oldEpoch = first.epoch!;
      await first.resign();
      await eventually(() => second.isController(), 10_000, 'the second candidate to win');
      expect(second.epoch! > oldEpoch).to.equal(true);
      const stale = await (await subject.client()).txn([controllerFence(keys, oldEpoch)],
        [{ type: 'put', key: keys.assignment('t', 0), value: 'from the old controller' }]);
      expect(stale.succeeded).to.equal(false);
    });

    it('tells a waiting candidate\'s listeners when it wins, with its epoch', async () => {
      const first = await candidate(1);
      const second = await candidate(2);
      const heard: Array<[number | undefined, boolean]> = [];
      second.onChange((controller) => heard.push([controller?.brokerId, second.isController()]));
      await first.resign();
      await eventually(() => heard.some(([id, self]) => id === 2 && self), 10_000, 'the win to be announced');
      expect(second.current()).to.deep.equal({ brokerId: 2, epoch: second.epoch });
    });

    it('assigns every partition of a new topic to running brokers, balanced by count, at leader epoch 0', async () => {
      await broker(1);
      await broker(2);
      await broker(3, 'starting');
      await assigner(await candidate(1));
      await createTopic('orders', 5);
      await eventually(async () => (await ownersOf('orders')).length === 5, 10_000, 'five assignments');
      const owners = await ownersOf('orders');
      expect(countsByBroker(owners)).to.deep.equal({ 1: 3, 2: 2 });
      expect(owners.every((a) => a.leaderEpoch === 0)).to.equal(true);
    });

    it('assigns partitions added to an existing topic without moving the others', async () => {
      await broker(1);
      await broker(2);
      await assigner(await candidate(1));
      await createTopic('growing', 1);
      await eventually(async () => (await ownersOf('growing')).length === 1, 10_000, 'one assignment');
      const [first] = await ownersOf('growing');
      await createTopic('growing', 3);
      await eventually(async () => (await ownersOf('growing')).length === 3, 10_000, 'three assignments');
      const owners = await ownersOf('growing');
      expect(owners[0]).to.deep.equal(first);
      // Partition 1 goes to the empty broker 2; partition 2 breaks the 1-1 tie to the lowest id.
      expect(first.brokerId).to.equal(1);
      expect(owners.map((a) => a.brokerId)).to.deep.equal([1, 2, 1]);
    });

    it('moves the partitions of a dead broker to live ones, bumping their leader epochs', async () => {
      await broker(1);
      const doomed = await broker(2);
      await assigner(await candidate(1));
      await createTopic('events', 4);
      await eventually(async () => (await ownersOf('events')).length === 4, 10_000, 'four assignments');
      const before = await ownersOf('events');
      await broker(3);
      await doomed.deregister();
      await eventually(async () => (await ownersOf('events')).every((a) => a.brokerId !== 2), 10_000, 'partitions to leave broker 2');
      const after = await ownersOf('events');
      for (const [i, a] of after.entries()) {
        expect(a.leaderEpoch).to.equal(before[i].brokerId === 2 ? before[i].leaderEpoch + 1 : before[i].leaderEpoch);
      }
      expect(countsByBroker(after)).to.deep.equal({ 1: 2, 3: 2 });
    });

    it('moves partitions off a draining broker and removes assignments of deleted topics', async () => {
      const draining = await broker(1);
      await broker(2);
      await assigner(await candidate(2));
      await createTopic('gone', 2);
      await createTopic('kept', 2);
      await eventually(async () => (await ownersOf('gone')).length === 2 && (await ownersOf('kept')).length === 2, 10_000, 'assignments');
      await draining.setState('draining');
      await (await subject.client()).txn([], [{ type: 'delete', key: keys.topic('gone') }]);
      await eventually(async () => (await ownersOf('gone')).length === 0, 10_000, 'deleted topic assignments removed');
      await eventually(async () => (await ownersOf('kept')).every((a) => a.brokerId === 2), 10_000, 'drained partitions moved');
    });

    it('keeps a broker\'s view of brokers, the controller and assignments current', async () => {
      const view = await watchClusterState(await subject.client(), keys);
      cleanups.push(() => view.close());
      await broker(1);
      const second = await broker(2);
      const election = await candidate(1);
      await assigner(election);
      await createTopic('viewed', 2);
      await eventually(() => view.assignment('viewed', 1) !== null, 10_000, 'the view to see assignments');
      expect(view.brokers().map((b) => b.brokerId)).to.deep.equal([1, 2]);
      expect(view.controller()).to.deep.equal({ brokerId: 1, epoch: election.epoch });
      await second.deregister();
      await eventually(() => view.assignmentsOf(1).length === 2, 10_000, 'broker 1 to own both partitions in the view');
      expect(view.brokers().map((b) => b.brokerId)).to.deep.equal([1]);
      expect(view.assignmentsOf(2)).to.deep.equal([]);
      await election.resign();
      await eventually(() => view.controller() === null, 10_000, 'the view to see the controller go');
    });

    it('applies fenced writes only while the writer holds the current leader epoch', async () => {
      const store = await subject.client();
      await broker(1);
      await broker(2);
      await assigner(await candidate(1));
      await createTopic('fenced', 1);
      await eventually(async () => (await ownersOf('fenced')).length === 1, 10_000, 'an assignment');
      const [owned] = await ownersOf('fenced');
      const state = keys.partitionState('fenced', 0);
      const fencing = createFencing(store, keys, owned.brokerId);
      const applied = await fencing.writeIfEpoch('fenced', 0, owned.leaderEpoch, [{ type: 'put', key: state, value: 'v1' }]);
      expect(applied.succeeded).to.equal(true);
      const comparesFailed = await fencing.writeIfEpoch('fenced', 0, owned.leaderEpoch,
        [{ type: 'put', key: state, value: 'v2' }], [{ key: state, value: 'not-v1' }]);
      expect(comparesFailed.succeeded).to.equal(false);
      const stale = await fencing.writeIfEpoch('fenced', 0, owned.leaderEpoch - 1, [{ type: 'put', key: state, value: 'stale' }])
        .then(() => null, (e: unknown) => e);
      expect(isCoordinationError(stale, 'FENCED'), String(stale)).to.equal(true);
      expect((await store.get(state))?.value).to.equal('v1');
    });

    it('fences the old owner out once its partition moves to a new broker', async () => {
      const store = await subject.client();
      const first = await broker(1);
      await assigner(await candidate(9));
      await createTopic('moving', 1);
      await eventually(async () => (await ownersOf('moving')).length === 1, 10_000, 'an assignment');
      const [old] = await ownersOf('moving');
      await broker(2);
      await first.deregister();
      await eventually(async () => (await ownersOf('moving'))[0].brokerId === 2, 10_000, 'the partition to move');
      const error = await createFencing(store, keys, 1)
        .writeIfEpoch('moving', 0, old.leaderEpoch, [{ type: 'put', key: keys.partitionState('moving', 0), value: 'old owner' }])
        .then(() => null, (e: unknown) => e);
      expect(isCoordinationError(error, 'FENCED'), String(error)).to.equal(true);
      expect((error as Error).message).to.contain('now broker 2 at epoch 1');
      expect(await store.get(keys.partitionState('moving', 0))).to.equal(null);
    });
  });
}

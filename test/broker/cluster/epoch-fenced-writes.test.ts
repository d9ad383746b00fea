import { expect } from 'chai';
import { coordinatorFence } from '../../../src/broker/groups/coordinator-fence';
import { isGroupError } from '../../../src/broker/groups/group-errors';
import { OffsetStore } from '../../../src/broker/groups/offset-store';
import { PartitionCursor } from '../../../src/broker/native/subscriptions/cursor';
import { CursorConflictError, CursorStore } from '../../../src/broker/native/subscriptions/cursor-store';
import { ProducerIdAllocator } from '../../../src/broker/producers/producer-id-allocator';
import type { BrokerServices } from '../../../src/broker/services';
import { encodeAssignment } from '../../../src/coordination/assignment';
import { EtcdMetadataStore } from '../../../src/coordination/etcd/etcd-store';
import { type ClusterKeys, clusterKeys } from '../../../src/coordination/keys';
import type { MetadataStore } from '../../../src/coordination/metadata-store';
import { type EtcdServer, startEtcd } from '../../support/etcd';
import { put, uniquePrefix } from '../../coordination/helpers';

const offset = (value: bigint) => ({ topic: 't', partition: 0, offset: value, leaderEpoch: -1, metadata: '', commitTimestampMs: 0 });

/** The error a promise rejects with, or null. */
const failure = (promise: Promise<unknown>) => promise.then(() => null, (err: unknown) => err);

describe('Shared-state writes of a stale owner are refused by the epoch they carry (etcd)', function () {
  this.timeout(20_000);
  let etcd: EtcdServer;
  let store: EtcdMetadataStore;
  let keys: ClusterKeys;
  const closers: Array<() => Promise<void>> = [];

  before(async () => {
    etcd = await startEtcd();
    store = EtcdMetadataStore.connect(etcd.endpoints);
  });
  beforeEach(() => {
    keys = clusterKeys(uniquePrefix('epoch-writes'));
  });
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close().catch(() => undefined);
  });
  after(async () => {
    await store?.close();
    await etcd?.stop();
  });

  async function coordinator(brokerId: number): Promise<OffsetStore> {
    await put(store, keys.broker(brokerId), JSON.stringify({ brokerId }));
    const offsets = await OffsetStore.open(store, keys, undefined, await coordinatorFence(store, keys, brokerId));
    closers.push(() => offsets.close());
    return offsets;
  }

  it('group offsets: a coordinator whose claim on the group was taken over cannot overwrite, though still registered', async () => {
    const old = await coordinator(1);
    const successor = await coordinator(2);
    await old.commit('g', [offset(5n)]);
    // The group moves to broker 2 (broker 1 paused, or its view lags); broker 2 claims it at the next epoch.
    await successor.commit('g', [offset(9n)]);
    const claim = JSON.parse((await store.get(keys.groupCoordinator('g')))!.value) as { brokerId: number; coordinatorEpoch: number };
    expect(claim).to.deep.equal({ brokerId: 2, coordinatorEpoch: 1 });

    const refused = await failure(old.commit('g', [offset(3n)]));
    expect(isGroupError(refused, 'not-coordinator'), String(refused)).to.equal(true);
    const reader = await OffsetStore.open(store, keys);
    closers.push(() => reader.close());
    expect(reader.get('g', 't', 0)?.offset, 'the successor\'s commit stays').to.equal(9n);

    // Broker 1 coordinating the group again claims a new epoch; now broker 2's writes are the stale ones.
    await old.commit('g', [offset(11n)]);
    const stale = await failure(successor.commit('g', [offset(4n)]));
    expect(isGroupError(stale, 'not-coordinator'), String(stale)).to.equal(true);
    expect(JSON.parse((await store.get(keys.groupCoordinator('g')))!.value)).to.deep.equal({ brokerId: 1, coordinatorEpoch: 2 });
    const final = await OffsetStore.open(store, keys);
    closers.push(() => final.close());
    expect(final.get('g', 't', 0)?.offset).to.equal(11n);
  });

  it('group offsets: a broker whose registration expired can neither claim a group nor write its offsets', async () => {
    const old = await coordinator(1);
    await old.commit('g', [offset(5n)]);
    await store.txn([], [{ type: 'delete', key: keys.broker(1) }]);
    const refused = await failure(old.commit('g', [offset(3n)]));
    expect(isGroupError(refused, 'not-coordinator'), String(refused)).to.equal(true);
    const fresh = await failure(old.commit('h', [offset(1n)]));
    expect(isGroupError(fresh, 'not-coordinator'), String(fresh)).to.equal(true);
    expect(await store.get(keys.groupCoordinator('h')), 'no claim made without a registration').to.equal(null);
  });

  it('native cursors: a write carrying the leader epoch of partition 0 the topic has moved on from is refused', async () => {
    const cursorKey = keys.subscription('t', 'sub');
    await put(store, keys.assignment('t', 0), encodeAssignment(1, 3));
    const services = { config: { metadata: { store: 'etcd' } }, keys, cluster: { self: { nodeId: 1 }, leaderEpochOf: () => 3 } } as unknown as BrokerServices;
    const fence = CursorStore.epochFence(services, 't');
    expect(fence).to.deep.equal([{ key: keys.assignment('t', 0), value: encodeAssignment(1, 3) }]);
    const cursor = new PartitionCursor(0n);
    let conflicts = 0;
    const cursors = new CursorStore(store, cursorKey, () => ({ type: 'shared', partitions: { 0: cursor.toState() } }), 60_000, 0n,
      () => { conflicts++; }, fence);
    cursor.ack(0n);
    cursors.changed();
    await cursors.flush();
    const written = await store.get(cursorKey);
    // The topic moves to broker 2 at epoch 4; the cursor key itself is untouched, so only the epoch can refuse.
    await put(store, keys.assignment('t', 0), encodeAssignment(2, 4));
    cursor.ack(1n);
    cursors.changed();
    const refused = await failure(cursors.flush());
    expect(refused).to.be.instanceOf(CursorConflictError);
    expect(conflicts).to.equal(1);
    expect((await store.get(cursorKey))!.modRevision, 'cursor unchanged').to.equal(written!.modRevision);
    await cursors.close();
    const single = { config: { metadata: { store: 'embedded' } }, keys, cluster: { self: { nodeId: 1 }, leaderEpochOf: () => 0 } } as unknown as BrokerServices;
    expect(CursorStore.epochFence(single, 't'), 'a single node has nobody to be fenced by').to.deep.equal([]);
    const unassigned = { config: { metadata: { store: 'etcd' } }, keys, cluster: { self: { nodeId: 1 }, leaderEpochOf: () => -1 } } as unknown as BrokerServices;
    expect(CursorStore.epochFence(unassigned, 'new'), 'a topic not assigned yet: valid until the controller assigns it')
      .to.deep.equal([{ key: keys.assignment('new', 0), modRevision: 0n }]);
  });

  it('producer ids: a reservation paused after reading the block counter cannot overwrite a later one; it reserves a fresh block', async () => {
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => { release = resolve; });
    let heldOnce = false;
    // The paused broker: its first write waits (as if SIGSTOPped between the read and the txn).
    const paused: MetadataStore = Object.assign(Object.create(store) as MetadataStore, {
      get: (key: string) => store.get(key),
      txn: async (...args: Parameters<MetadataStore['txn']>) => {
        if (!heldOnce) {
          heldOnce = true;
          await released;
        }
        return store.txn(...args);
      },
    });
    const stale = new ProducerIdAllocator(paused, keys.producerIds, 1000);
    const live = new ProducerIdAllocator(store, keys.producerIds, 1000);
    const staleId = stale.allocate();
    while (!heldOnce) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(await live.allocate()).to.equal(0n);
    release();
    expect(await staleId, 'the stale reservation was refused and retried on the current counter').to.equal(1000n);
    expect(JSON.parse((await store.get(keys.producerIds))!.value)).to.deep.equal({ nextProducerId: '2000' });
    expect(await live.allocate()).to.equal(1n);
  });
});

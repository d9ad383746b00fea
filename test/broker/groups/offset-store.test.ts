import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedMetadataStore } from '../../../src/coordination/embedded/embedded-store';
import { EtcdMetadataStore } from '../../../src/coordination/etcd/etcd-store';
import { clusterKeys } from '../../../src/coordination/keys';
import type { MetadataStore } from '../../../src/coordination/metadata-store';
import { type EtcdServer, startEtcd } from '../../support/etcd';
import { registrationFence } from '../../../src/broker/groups/coordinator-fence';
import { isGroupError } from '../../../src/broker/groups/group-errors';
import { OffsetStore } from '../../../src/broker/groups/offset-store';
import { eventually, uniquePrefix } from '../../coordination/helpers';

const write = (partition: number, offset: bigint) => ({ topic: 't', partition, offset, leaderEpoch: -1, metadata: '', commitTimestampMs: 0 });

interface StoreUnderTest {
  store: MetadataStore;
  close(): Promise<void>;
}

function sharedOffsetsSuite(name: string, open: () => Promise<StoreUnderTest>): void {
  describe(`Committed offsets shared by brokers on one metadata store (${name})`, () => {
    let opened: StoreUnderTest;
    let store: MetadataStore;
    let keys: ReturnType<typeof clusterKeys>;
    beforeEach(async () => {
      opened = await open();
      store = opened.store;
      keys = clusterKeys(uniquePrefix('offsets'));
    });
    afterEach(async () => opened.close());

    it('shows every commit and delete made through one coordinator to the others (a group moving between brokers)', async () => {
      const a = await OffsetStore.open(store, keys);
      const b = await OffsetStore.open(store, keys);
      await a.commit('g', [write(0, 5n), write(1, 6n)]);
      await eventually(() => b.get('g', 't', 0)?.offset === 5n && b.get('g', 't', 1)?.offset === 6n, 2000, 'b sees a\'s commit');
      await b.commit('g', [write(0, 7n)]);
      await eventually(() => a.get('g', 't', 0)?.offset === 7n, 2000, 'a sees b\'s newer commit');
      await a.delete('g', [{ topic: 't', partition: 1 }]);
      await eventually(() => b.get('g', 't', 1) === undefined, 2000, 'b sees the delete');
      expect(a.get('g', 't', 0)?.offset).to.equal(7n);
      await Promise.all([a.close(), b.close()]);
    });

    it('refuses the writes of a coordinator whose registration is gone or was made again (a paused ex-coordinator): NOT_COORDINATOR, the new commit stays', async () => {
      const registration = keys.broker(1);
      await store.txn([], [{ type: 'put', key: registration, value: '{"brokerId":1}' }]);
      const old = await OffsetStore.open(store, keys, undefined, await registrationFence(store, registration));
      const successor = await OffsetStore.open(store, keys);
      await old.commit('g', [write(0, 5n)]);
      // The lease expires while the broker is paused; it registers again under a new lease.
      await store.txn([], [{ type: 'delete', key: registration }]);
      await successor.commit('g', [write(0, 9n)]);
      const refused = await old.commit('g', [write(0, 3n)]).then(() => null, (e: unknown) => e);
      expect(isGroupError(refused, 'not-coordinator'), String(refused)).to.equal(true);
      await store.txn([], [{ type: 'put', key: registration, value: '{"brokerId":1}' }]);
      await eventually(async () => old.commit('g', [write(1, 1n)]).then(() => true, () => false), 2000, 'commits under the new registration');
      const reloaded = await OffsetStore.open(store, keys);
      expect(reloaded.get('g', 't', 0)?.offset).to.equal(9n);
      await Promise.all([old.close(), successor.close(), reloaded.close()]);
    });

    it('never lets an older write replace a newer one, whatever order the answers and events arrive in', async () => {
      const a = await OffsetStore.open(store, keys);
      await Promise.all(Array.from({ length: 50 }, (_, i) => a.commit('g', [write(0, BigInt(i))])));
      const latest = await OffsetStore.open(store, keys);
      expect(a.get('g', 't', 0)?.offset).to.equal(latest.get('g', 't', 0)?.offset);
      await a.delete('g');
      await a.commit('g', [write(3, 1n)]);
      expect(a.all('g').map((o) => o.partition)).to.deep.equal([3]);
      await Promise.all([a.close(), latest.close()]);
    });
  });
}

sharedOffsetsSuite('embedded', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tributary-offset-store-'));
  const store = await EmbeddedMetadataStore.open(dir);
  return { store, close: async () => { await store.close(); await rm(dir, { recursive: true, force: true }); } };
});

describe('on a real etcd', function () {
  this.timeout(30_000);
  let etcd: EtcdServer;
  before(async () => { etcd = await startEtcd(); });
  after(async () => etcd.stop());
  sharedOffsetsSuite('etcd', async () => {
    const store = EtcdMetadataStore.connect(etcd.endpoints);
    return { store, close: () => store.close() };
  });
});

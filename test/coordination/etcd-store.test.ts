import { expect } from 'chai';
import { isCoordinationError } from '../../src/coordination/errors';
import { EtcdMetadataStore } from '../../src/coordination/etcd/etcd-store';
import type { WatchEvent } from '../../src/coordination/metadata-store';
import { type EtcdServer, startEtcd } from '../support/etcd';
import { eventually, put, uniquePrefix } from './helpers';

describe('etcd metadata store during an etcd outage', function () {
  this.timeout(40_000);
  let etcd: EtcdServer;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);

  before(async () => {
    etcd = await startEtcd();
    process.on('unhandledRejection', onUnhandled);
  });
  after(async () => {
    process.off('unhandledRejection', onUnhandled);
    await etcd?.stop();
  });

  it('rejects calls, reports the lease lost, then recovers with the watch resumed, without crashing', async () => {
    const store = EtcdMetadataStore.connect(etcd.endpoints);
    const prefix = uniquePrefix('outage');
    const events: WatchEvent[] = [];
    const watch = await store.watch(prefix, (event) => events.push(event));
    const lease = await store.grantLease(2000);
    let lost = 0;
    lease.onLost(() => { lost += 1; });
    await put(store, `${prefix}leased`, 'x', lease.id);

    await etcd.members[0].kill();
    // Deadlines and bounded retries make the call fail instead of hanging (the mocha timeout would catch a hang).
    const error = await store.get(`${prefix}leased`).then(() => null, (e: unknown) => e);
    expect(isCoordinationError(error, 'STORE_UNAVAILABLE'), String(error)).to.equal(true);
    await eventually(() => lost === 1, 5000, 'the lease to be reported lost');

    await etcd.members[0].restart();
    await eventually(async () => store.get(`${prefix}leased`).then(() => true, () => false), 10_000, 'etcd to answer again');
    await put(store, `${prefix}after`, 'back');
    await eventually(() => events.some((event) => event.type === 'put' && event.kv.key === `${prefix}after`), 10_000,
      'the watch to resume after the outage');
    await watch.cancel();
    await store.close();
    expect(unhandled).to.deep.equal([]);
  });
});

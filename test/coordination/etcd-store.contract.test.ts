import { COORDINATION_LIMITS } from '../../src/limits';
import { EtcdMetadataStore } from '../../src/coordination/etcd/etcd-store';
import { type EtcdServer, startEtcd } from '../support/etcd';
import { metadataStoreContract } from './metadata-store.contract';

describe('etcd metadata store', function () {
  let etcd: EtcdServer;
  before(async function () {
    this.timeout(30_000);
    etcd = await startEtcd();
  });
  after(async () => etcd?.stop());

  metadataStoreContract('etcd', () => ({
    open: async () => EtcdMetadataStore.connect(etcd.endpoints),
    leaseTtlMs: COORDINATION_LIMITS.etcdLeaseTtlMsMin,
  }));
});

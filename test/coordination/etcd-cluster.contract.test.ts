import { COORDINATION_LIMITS } from '../../src/limits';
import { EtcdMetadataStore } from '../../src/coordination/etcd/etcd-store';
import { type EtcdServer, startEtcd } from '../support/etcd';
import { clusterContract } from './cluster.contract';

describe('etcd cluster coordination', () => {
  let etcd: EtcdServer;
  const clients: EtcdMetadataStore[] = [];
  before(async function () {
    this.timeout(30_000);
    etcd = await startEtcd();
  });
  after(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
    await etcd?.stop();
  });

  // Each broker of a test gets its own etcd client, as separate broker processes would.
  clusterContract('etcd', () => ({
    client: async () => {
      const client = EtcdMetadataStore.connect(etcd.endpoints);
      clients.push(client);
      return client;
    },
    // Nothing here waits for an expiry; a roomy TTL keeps a busy CI machine from losing a lease.
    leaseTtlMs: COORDINATION_LIMITS.etcdLeaseTtlMsMin * 3,
  }));
});

/**
 * A controller (election + partition assigner) and stand-in brokers on a real etcd, under a key
 * prefix of its own: the brokers are registrations only, and owners() stands in for their side
 * of a handoff (src/broker/cluster/partition-handoff.ts).
 */
import { listAssignments, type StoredAssignment } from '../../src/coordination/assignment';
import { type RegisteredBroker, registerBroker } from '../../src/coordination/broker-registry';
import { electController } from '../../src/coordination/controller';
import type { EtcdMetadataStore } from '../../src/coordination/etcd/etcd-store';
import { answerHandoff, decodeHandoff, handoffsPrefix, NO_OBJECT_STORE } from '../../src/coordination/handoff';
import { type ClusterKeys, clusterKeys } from '../../src/coordination/keys';
import { startPartitionAssigner } from '../../src/coordination/partition-assigner';
import type { RebalanceLimits } from '../../src/coordination/rebalancer';
import { COORDINATION_LIMITS } from '../../src/limits';
import { eventually, put, uniquePrefix } from './helpers';

const TTL_MS = COORDINATION_LIMITS.etcdLeaseTtlMsMin * 3;

/** How the stand-in owners answer handoff requests. */
export type OwnerAnswer = 'ready' | 'refused' | 'never' | 'no object store';

export class ControllerFixture {
  readonly keys: ClusterKeys;
  private readonly cleanups: Array<() => Promise<void>> = [];

  constructor(label: string, private readonly controllerClient: EtcdMetadataStore, readonly brokerClient: EtcdMetadataStore,
    private readonly limits: RebalanceLimits) {
    this.keys = clusterKeys(uniquePrefix(label));
  }

  onCleanup(cleanup: () => Promise<void>): void {
    this.cleanups.push(cleanup);
  }

  async cleanup(): Promise<void> {
    for (const cleanup of this.cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  }

  async broker(brokerId: number): Promise<RegisteredBroker> {
    const registered = await registerBroker(this.brokerClient, this.keys,
      { brokerId, host: '127.0.0.1', port: 19000 + brokerId, rack: null, state: 'running' }, { ttlMs: TTL_MS, takeoverWaitMs: 0 });
    this.onCleanup(() => registered.deregister());
    return registered;
  }

  async controller(limits: Partial<RebalanceLimits> = {}): Promise<void> {
    const election = await electController(this.controllerClient, this.keys, 1, { ttlMs: TTL_MS });
    this.onCleanup(() => election.resign());
    const assigner = await startPartitionAssigner(this.controllerClient, this.keys, election, { rebalance: { ...this.limits, ...limits } });
    this.onCleanup(() => assigner.stop());
  }

  /** Stands in for the owners' side: answers every request (or never does). */
  async owners(answer: OwnerAnswer): Promise<void> {
    const watch = await this.brokerClient.watch(handoffsPrefix(this.keys), (event) => {
      const handoff = event.type === 'put' ? decodeHandoff(this.keys, event.kv) : null;
      if (handoff?.state !== 'requested' || answer === 'never') return;
      const reason = answer === 'no object store' ? `${NO_OBJECT_STORE} on broker ${handoff.from}` : undefined;
      void answerHandoff(this.brokerClient, this.keys, handoff, answer === 'ready' ? 'ready' : 'refused', reason);
    });
    this.onCleanup(() => watch.cancel());
  }

  /** Creates the topic and waits until the controller has assigned every partition. */
  async topic(name: string, partitions: number): Promise<void> {
    await put(this.brokerClient, this.keys.topic(name), JSON.stringify({ name, topicId: name, partitions, configs: {} }));
    await eventually(async () => (await this.assignments()).filter((a) => a.topic === name).length === partitions, 10_000, `${name} assigned`);
  }

  async assignments(): Promise<StoredAssignment[]> {
    return (await listAssignments(this.brokerClient, this.keys)).sort((a, b) => a.partition - b.partition);
  }

  async countOn(brokerId: number): Promise<number> {
    return (await this.assignments()).filter((a) => a.brokerId === brokerId).length;
  }
}

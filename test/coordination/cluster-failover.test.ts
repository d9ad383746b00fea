import { expect } from 'chai';
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { listAssignments, type StoredAssignment } from '../../src/coordination/assignment';
import { listBrokers } from '../../src/coordination/broker-registry';
import { EtcdMetadataStore } from '../../src/coordination/etcd/etcd-store';
import { clusterKeys } from '../../src/coordination/keys';
import { type EtcdServer, startEtcd } from '../support/etcd';
import { eventually, put, uniquePrefix } from './helpers';

const TTL_MS = 3000;

describe('Cluster coordination across broker processes on etcd', function () {
  this.timeout(60_000);
  let etcd: EtcdServer;
  let store: EtcdMetadataStore;
  const members = new Map<number, ChildProcess>();

  before(async () => {
    etcd = await startEtcd();
    store = EtcdMetadataStore.connect(etcd.endpoints);
  });
  after(async () => {
    for (const child of members.values()) child.kill('SIGKILL');
    await store?.close();
    await etcd?.stop();
  });

  function startMember(prefix: string, brokerId: number): Promise<void> {
    const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'fixtures', 'cluster-member.ts'),
      etcd.endpoints.join(','), prefix, String(brokerId), String(TTL_MS)],
    { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, TRIBUTARY_LOG_LEVEL: 'silent' } });
    members.set(brokerId, child);
    return new Promise((resolve, reject) => {
      child.stdout!.on('data', (chunk: Buffer) => { if (chunk.toString().includes('registered')) resolve(); });
      child.on('exit', (code) => reject(new Error(`broker ${brokerId} exited with ${code}`)));
    });
  }

  function counts(assignments: StoredAssignment[]): Record<number, number> {
    const byBroker: Record<number, number> = {};
    for (const a of assignments) byBroker[a.brokerId] = (byBroker[a.brokerId] ?? 0) + 1;
    return byBroker;
  }

  it('re-elects a controller and moves a SIGKILLed broker\'s partitions to the survivors with bumped epochs', async () => {
    const prefix = uniquePrefix('failover');
    const keys = clusterKeys(prefix);
    await Promise.all([1, 2, 3].map((id) => startMember(prefix, id)));
    await put(store, keys.topic('orders'), JSON.stringify({ name: 'orders', topicId: 'orders', partitions: 6, configs: {} }));
    await eventually(async () => (await listAssignments(store, keys)).length === 6, 15_000, 'six assignments');
    const before = await listAssignments(store, keys);
    expect(counts(before)).to.deep.equal({ 1: 2, 2: 2, 3: 2 });
    const controller = JSON.parse((await store.get(keys.controller))!.value) as { brokerId: number };

    members.get(controller.brokerId)!.kill('SIGKILL');
    await eventually(async () => {
      const now = await store.get(keys.controller);
      return now !== null && (JSON.parse(now.value) as { brokerId: number }).brokerId !== controller.brokerId;
    }, 15_000, 'a new controller');
    await eventually(async () => (await listAssignments(store, keys)).every((a) => a.brokerId !== controller.brokerId),
      15_000, 'the dead broker\'s partitions to move');

    const after = await listAssignments(store, keys);
    const survivors = [1, 2, 3].filter((id) => id !== controller.brokerId);
    expect(counts(after)).to.deep.equal({ [survivors[0]]: 3, [survivors[1]]: 3 });
    for (const a of after) {
      const old = before.find((b) => b.topic === a.topic && b.partition === a.partition)!;
      expect(a.leaderEpoch).to.equal(old.brokerId === controller.brokerId ? old.leaderEpoch + 1 : old.leaderEpoch);
    }
    expect((await listBrokers(store, keys)).map((b) => b.brokerId)).to.deep.equal(survivors);
  });
});

/**
 * Rebalancing benchmark (real broker processes, real etcd, fs object store on one machine):
 *  - two brokers own a 12-partition topic under an idempotent kafkajs producer; a third broker
 *    process starts; time until it owns its share (4), time each handoff takes (request written
 *    -> partition reassigned, seen through a watch on the handoff keys), and the longest gap
 *    between acknowledged produces on a moved partition (what a client sees of a move);
 *  - group coordinators: share of 10,000 group ids whose coordinator changes when a fourth
 *    broker joins three, rendezvous hashing vs the former hash modulo broker count.
 * Prints `RESULT <name> <value> <unit>` lines.   npm run bench:cluster-rebalance
 */
import { join } from 'node:path';
import { coordinatorFor } from '../src/broker/groups/coordinator-locator';
import { EtcdMetadataStore } from '../src/coordination/etcd/etcd-store';
import { listAssignments } from '../src/coordination/assignment';
import { handoffsPrefix } from '../src/coordination/handoff';
import { clusterKeys } from '../src/coordination/keys';
import { BrokerCluster, freePort, sleep } from '../test/cluster/support/broker-cluster';
import { ProducerLoop } from '../test/cluster/support/traffic';

const TOPIC = 'bench-rebalance';
const PARTITIONS = 12;

function result(name: string, value: number, unit: string): void {
  console.log(`RESULT ${name} ${Math.round(value * 10) / 10} ${unit}`);
}

async function joinedBroker(): Promise<void> {
  const cluster = await BrokerCluster.start({ brokers: 2, env: { TRIBUTARY_TIER_UPLOAD_INTERVAL_MS: '30000' } });
  const store = EtcdMetadataStore.connect(cluster.etcd.endpoints);
  const keys = clusterKeys('/tributary/');
  try {
    const admin = cluster.kafka().admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: PARTITIONS }] });
    await admin.disconnect();
    const producer = new ProducerLoop(cluster.kafka('bench-rebalance'), TOPIC, PARTITIONS, 5);
    await producer.start();
    while (producer.acked.length < 5 * PARTITIONS) await sleep(50);

    const requestedAtMs = new Map<string, number>();
    const handoffMs: number[] = [];
    const watch = await store.watch(handoffsPrefix(keys), (event) => {
      if (event.type === 'put' && !requestedAtMs.has(event.kv.key)) requestedAtMs.set(event.kv.key, Date.now());
      if (event.type === 'delete' && requestedAtMs.has(event.key)) handoffMs.push(Date.now() - requestedAtMs.get(event.key)!);
    });
    const startedAtMs = Date.now();
    const third = { id: 3, port: await freePort(), dataDir: join(cluster.root, 'broker-3'), logFile: join(cluster.root, 'broker-3.log'), process: null };
    cluster.brokers.push(third);
    await cluster.launch(third);
    const listeningAtMs = Date.now();
    while ((await listAssignments(store, keys)).filter((a) => a.brokerId === 3).length < PARTITIONS / 3) await sleep(50);
    const sharedAtMs = Date.now();
    await sleep(2000);
    await producer.stop();
    await watch.cancel();

    const moved = new Set((await listAssignments(store, keys)).filter((a) => a.brokerId === 3).map((a) => a.partition));
    let gapMaxMs = 0;
    for (const partition of moved) {
      const times = producer.acked.filter((a) => a.partition === partition && a.atMs > startedAtMs).map((a) => a.atMs);
      for (let i = 1; i < times.length; i++) gapMaxMs = Math.max(gapMaxMs, times[i] - times[i - 1]);
    }
    result('rebalance_share_after_process_start', sharedAtMs - startedAtMs, 'ms');
    result('rebalance_share_after_listening', sharedAtMs - listeningAtMs, 'ms');
    result('rebalance_handoff_median', [...handoffMs].sort((a, b) => a - b)[Math.floor(handoffMs.length / 2)], 'ms');
    result('rebalance_handoff_max', Math.max(...handoffMs), 'ms');
    result('rebalance_moved_partition_ack_gap_max', gapMaxMs, 'ms');
  } finally {
    await store.close();
    await cluster.stop();
  }
}

function groupsMovedOnJoin(): void {
  const node = (nodeId: number) => ({ nodeId, host: '127.0.0.1', port: 9000 + nodeId });
  const before = [node(1), node(2), node(3)];
  const after = [...before, node(4)];
  const groups = Array.from({ length: 10_000 }, (_, i) => `group-${i}`);
  const rendezvous = groups.filter((g) => coordinatorFor(g, before)!.nodeId !== coordinatorFor(g, after)!.nodeId).length;
  // The former placement: Java String.hashCode of the id, modulo the broker count.
  const javaHash = (text: string) => [...text].reduce((h, c) => (Math.imul(h, 31) + c.charCodeAt(0)) | 0, 0) & 0x7fffffff;
  const modulo = groups.filter((g) => javaHash(g) % before.length !== javaHash(g) % after.length).length;
  result('groups_moved_on_join_rendezvous', (100 * rendezvous) / groups.length, '%');
  result('groups_moved_on_join_modulo', (100 * modulo) / groups.length, '%');
}

async function main(): Promise<void> {
  groupsMovedOnJoin();
  await joinedBroker();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});

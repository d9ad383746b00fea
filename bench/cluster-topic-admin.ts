/**
 * Topic admin latency on a 3-broker cluster (real broker processes and etcd on one machine):
 * CreateTopics (3 partitions) and DeleteTopics answered by the controller and by a
 * non-controller. An answer comes once the controller's assignment (or its removal) is visible
 * on the answering broker, so these times include the controller's round trip through etcd.
 * Prints `RESULT <name> <value> <unit>` lines.   npm run bench:cluster-admin   (BENCH_TOPICS=N, default 30)
 */
import { BrokerCluster } from '../test/cluster/support/broker-cluster';
import { controllerOf, wireTo, ZERO_UUID } from '../test/cluster/support/admin-wire';

const TOPICS = Number(process.env.BENCH_TOPICS ?? 30);

function result(name: string, value: number, unit: string): void {
  console.log(`RESULT ${name} ${Math.round(value * 10) / 10} ${unit}`);
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

async function timeAdmin(cluster: BrokerCluster, brokerId: number, label: string): Promise<void> {
  const createMs: number[] = [];
  const deleteMs: number[] = [];
  await wireTo(cluster, brokerId, async (client) => {
    for (let i = 0; i < TOPICS; i++) {
      const name = `bench-admin-${label}-${i}`;
      let started = performance.now();
      const created = await client.request(19, 7, { topics: [{ name, numPartitions: 3, replicationFactor: -1, assignments: [], configs: [] }], timeoutMs: 10_000, validateOnly: false });
      createMs.push(performance.now() - started);
      if (created.topics[0].errorCode !== 0) throw new Error(`create ${name}: error ${created.topics[0].errorCode}`);
      started = performance.now();
      const deleted = await client.request(20, 6, { topics: [{ name, topicId: ZERO_UUID }], timeoutMs: 10_000 });
      deleteMs.push(performance.now() - started);
      if (deleted.responses[0].errorCode !== 0) throw new Error(`delete ${name}: error ${deleted.responses[0].errorCode}`);
    }
  });
  result(`create_topic_${label}_p50`, percentile(createMs, 0.5), 'ms');
  result(`create_topic_${label}_p99`, percentile(createMs, 0.99), 'ms');
  result(`delete_topic_${label}_p50`, percentile(deleteMs, 0.5), 'ms');
  result(`delete_topic_${label}_p99`, percentile(deleteMs, 0.99), 'ms');
}

async function main(): Promise<void> {
  const cluster = await BrokerCluster.start({ brokers: 3 });
  try {
    const controller = await controllerOf(cluster);
    const other = cluster.brokers.find((b) => b.id !== controller)!.id;
    await timeAdmin(cluster, controller, 'controller');
    await timeAdmin(cluster, other, 'non_controller');
  } finally {
    await cluster.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

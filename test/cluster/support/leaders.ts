/** Partition leaders as one broker's Metadata reports them. */
import type { BrokerCluster } from './broker-cluster';
import { sleep } from './broker-cluster';

export async function leadersOf(cluster: BrokerCluster, topic: string, bootstrap = cluster.bootstrap): Promise<Map<number, number>> {
  const admin = cluster.kafka('leaders-probe', bootstrap, 3000).admin({ retry: { retries: 2 } });
  await admin.connect();
  try {
    const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
    return new Map(topics[0].partitions.map((p) => [p.partitionId, p.leader]));
  } finally {
    await admin.disconnect();
  }
}

/** Polls until the predicate holds for the leader of the partition; returns that leader. */
export async function waitForLeader(cluster: BrokerCluster, topic: string, partition: number,
  accept: (leader: number) => boolean, bootstrap = cluster.bootstrap, timeoutMs = 20_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const leader = await leadersOf(cluster, topic, bootstrap).then((m) => m.get(partition) ?? -1, () => -1);
    if (accept(leader)) return leader;
    if (Date.now() > deadline) throw new Error(`${topic}-${partition}: leader condition not met within ${timeoutMs} ms (last ${leader})`);
    await sleep(100);
  }
}

/**
 * Cluster benchmark (real broker processes, real etcd, fs object store on one machine):
 *  - failover: 10 times, kill -9 the owner of partition 0 (durability cloud topic) under an idempotent kafkajs producer
 *    and a consumer group; time from the kill to the first acknowledged produce, to the first
 *    Fetch its new owner answers with records (codec, every moved partition) and to the first
 *    message the kafkajs group consumed on the moved partitions (the killed broker is restarted between kills);
 *  - produce throughput of a 6-partition topic on 3 brokers vs 1 (kafkajs, 1 KiB messages).
 * Prints `RESULT <name> <value> <unit>` lines.   npm run bench:cluster   (BENCH_KILLS=N to change 10)
 */
import { BrokerCluster, sleep } from '../test/cluster/support/broker-cluster';
import { waitForLeader } from '../test/cluster/support/leaders';
import { untilFetchServed } from '../test/cluster/support/partition-wire';
import { ConsumerLoop, ProducerLoop } from '../test/cluster/support/traffic';

const KILLS = Number(process.env.BENCH_KILLS ?? 10);
const THROUGHPUT_SECONDS = Number(process.env.BENCH_SECONDS ?? 10);

function result(name: string, value: number, unit: string): void {
  console.log(`RESULT ${name} ${Math.round(value * 10) / 10} ${unit}`);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function failover(): Promise<void> {
  const cluster = await BrokerCluster.start({ brokers: 3 });
  try {
    const admin = cluster.kafka().admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'bench-failover', numPartitions: 3, configEntries: [{ name: 'durability', value: 'cloud' }] }] });
    await admin.disconnect();
    const producer = new ProducerLoop(cluster.kafka('bench-producer'), 'bench-failover', 3, 10);
    const consumer = new ConsumerLoop(cluster.kafka('bench-consumer'), 'bench-failover', 'bench-failover-group', 'default');
    await consumer.start();
    await producer.start();
    const produceMs: number[] = [];
    const consumeMs: number[] = [];
    const fetchMs: number[] = [];
    for (let kill = 0; kill < KILLS; kill++) {
      while (producer.acked.length < 20 * (kill + 1)) await sleep(50);
      const victim = await waitForLeader(cluster, 'bench-failover', 0, (leader) => leader > 0);
      const leaders = await Promise.all([0, 1, 2].map((p) => waitForLeader(cluster, 'bench-failover', p, (l) => l > 0)));
      const moved = leaders.flatMap((leader, p) => (leader === victim ? [p] : []));
      const killedAtMs = Date.now();
      await cluster.signal(victim, 'SIGKILL');
      const survivor = cluster.brokers.find((b) => b.id !== victim)!.id;
      const fetched = Promise.all(moved.map((p) => untilFetchServed(cluster, survivor, victim, 'bench-failover', p, 60_000)));
      const firstAck = async () => {
        for (;;) {
          const ack = producer.acked.find((a) => a.atMs > killedAtMs && moved.includes(a.partition));
          if (ack) return ack;
          if (Date.now() - killedAtMs > 60_000) throw new Error('moved partitions never served again');
          await sleep(10);
        }
      };
      const ack = await firstAck();
      produceMs.push(ack.atMs - killedAtMs);
      fetchMs.push(Math.max(...await fetched) - killedAtMs);
      while (!consumer.seen.has(ack.value)) {
        if (Date.now() - killedAtMs > 90_000) throw new Error('message after failover never consumed');
        await sleep(10);
      }
      consumeMs.push(consumer.seen.get(ack.value)! - killedAtMs);
      console.log(`kill ${kill + 1}: broker ${victim}, partitions ${moved.join(',')}: produce ${produceMs.at(-1)} ms, fetch ${fetchMs.at(-1)} ms, consume ${consumeMs.at(-1)} ms`);
      await cluster.launch(cluster.broker(victim));
      await cluster.waitForBrokers(3);
    }
    await producer.stop();
    await consumer.stop();
    result('cluster_failover_produce_median', median(produceMs), 'ms');
    result('cluster_failover_produce_max', Math.max(...produceMs), 'ms');
    result('cluster_failover_fetch_median', median(fetchMs), 'ms');
    result('cluster_failover_fetch_max', Math.max(...fetchMs), 'ms');
    result('cluster_failover_consume_median', median(consumeMs), 'ms');
    result('cluster_failover_consume_max', Math.max(...consumeMs), 'ms');
  } finally {
    await cluster.stop();
  }
}

async function throughput(brokers: number): Promise<number> {
  const cluster = await BrokerCluster.start({ brokers });
  try {
    const kafka = cluster.kafka('bench-throughput');
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'bench-throughput', numPartitions: 6 }] });
    await admin.disconnect();
    const producer = kafka.producer();
    await producer.connect();
    const value = Buffer.alloc(1024, 'x');
    const batch = Array.from({ length: 100 }, () => ({ value }));
    let messages = 0;
    const endAtMs = Date.now() + THROUGHPUT_SECONDS * 1000;
    const startMs = Date.now();
    // One sender per partition, each keeping one request in flight.
    await Promise.all(Array.from({ length: 6 }, async (_, partition) => {
      while (Date.now() < endAtMs) {
        await producer.send({ topic: 'bench-throughput', acks: -1, messages: batch.map((m) => ({ ...m, partition })) });
        messages += batch.length;
      }
    }));
    const rate = messages / ((Date.now() - startMs) / 1000);
    await producer.disconnect();
    return rate;
  } finally {
    await cluster.stop();
  }
}

async function main(): Promise<void> {
  if (process.env.BENCH_ONLY !== 'throughput') await failover();
  if (process.env.BENCH_ONLY !== 'failover') {
    const one = await throughput(1);
    const three = await throughput(3);
    result('cluster_produce_1_broker', one, 'msg/s');
    result('cluster_produce_3_brokers', three, 'msg/s');
    result('cluster_produce_speedup_3_vs_1', three / one, 'x');
  }
}

main().then(() => process.exit(0), (err: unknown) => {
  console.error(err);
  process.exit(1);
});

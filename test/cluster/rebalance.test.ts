import { expect } from 'chai';
import { join } from 'node:path';
import { run } from '../e2e/support/run';
import { BrokerCluster, freePort, sleep } from './support/broker-cluster';
import { ConsumerLoop, ProducerLoop } from './support/traffic';

const TOPIC = 'cluster-rebalance';
const PARTITIONS = 12;
const CLI = join(__dirname, '..', '..', 'scripts', 'tributary.cjs');

interface Owner { partition: number; owner: number; leaderEpoch: number }

describe('a broker joining a running cluster receives its share of partitions', function () {
  this.timeout(90_000);
  let cluster: BrokerCluster;

  const owners = async () => JSON.parse((await run(process.execPath,
    [CLI, 'admin', 'partitions', 'list', TOPIC, '--etcd', cluster.etcd.endpoints.join(',')], '', 30_000)).stdout) as Owner[];
  const countOn = (list: Owner[], id: number) => list.filter((o) => o.owner === id).length;

  before(async () => {
    // Slow background uploads: each handoff itself must upload the durability local tail.
    cluster = await BrokerCluster.start({ brokers: 2, env: { TRIBUTARY_TIER_UPLOAD_INTERVAL_MS: '30000' } });
    await cluster.createTopic(TOPIC, PARTITIONS);
  });

  after(async () => {
    await cluster?.stop();
  });

  it('moves partitions to broker 3 until each broker owns 4, under load, losing no acknowledged message', async () => {
    const producer = new ProducerLoop(cluster.kafka('rebalance-producer'), TOPIC, PARTITIONS, 10);
    const consumer = new ConsumerLoop(cluster.kafka('rebalance-consumer'), TOPIC, 'rebalance-group');
    await consumer.start();
    await producer.start();
    while (producer.acked.length < 2 * PARTITIONS) await sleep(50);
    const before = await owners();
    expect([countOn(before, 1), countOn(before, 2)]).to.deep.equal([6, 6]);

    const joinedAtMs = Date.now();
    const third = { id: 3, port: await freePort(), dataDir: join(cluster.root, 'broker-3'), logFile: join(cluster.root, 'broker-3.log'), process: null };
    cluster.brokers.push(third);
    await cluster.launch(third);
    let after = before;
    while (countOn(after, 3) < PARTITIONS / 3) {
      expect(Date.now() - joinedAtMs, `broker 3 owns ${countOn(after, 3)} partitions`).to.be.below(45_000);
      await sleep(500);
      after = await owners();
    }
    console.log(`      broker 3 received its share ${Date.now() - joinedAtMs} ms after it started`);
    expect([1, 2, 3].map((id) => countOn(after, id))).to.deep.equal([4, 4, 4]);
    for (const o of after) {
      const was = before.find((b) => b.partition === o.partition)!;
      expect(o.leaderEpoch, `partition ${o.partition}`).to.equal(o.owner === was.owner ? was.leaderEpoch : was.leaderEpoch + 1);
    }

    const acked = producer.acked.length;
    while (producer.acked.length < acked + 2 * PARTITIONS) await sleep(50);
    await producer.stop();
    expect(new Set(producer.acked.filter((a) => a.atMs > joinedAtMs).map((a) => a.partition)).size).to.equal(PARTITIONS);
    await consumer.waitFor(producer.acked.map((a) => a.value), 45_000);
    await consumer.stop();

    // The moved partitions kept what their old owners held: offsets continue, nothing restarts at 0.
    const admin = cluster.kafka().admin();
    await admin.connect();
    const ends = await admin.fetchTopicOffsets(TOPIC);
    await admin.disconnect();
    for (const { partition, high } of ends) {
      const ackedHere = producer.acked.filter((a) => a.partition === partition).length;
      expect(Number(high), `end offset of partition ${partition}`).to.be.at.least(ackedHere);
    }
    const reader = new ConsumerLoop(cluster.kafka('rebalance-reader'), TOPIC, 'rebalance-reader-group');
    await reader.start();
    await reader.waitFor(producer.acked.map((a) => a.value), 30_000);
    await reader.stop();
  });
});

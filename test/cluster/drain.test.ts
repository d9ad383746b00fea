import { expect } from 'chai';
import { join } from 'node:path';
import { run } from '../e2e/support/run';
import { BrokerCluster, sleep } from './support/broker-cluster';
import { ConsumerLoop, ProducerLoop } from './support/traffic';

const TOPIC = 'cluster-drain';
const PARTITIONS = 3;
const CLI = join(__dirname, '..', '..', 'scripts', 'tributary.cjs');

describe('draining brokers and a rolling restart under load', function () {
  this.timeout(150_000);
  let cluster: BrokerCluster;

  const admin = async (...args: string[]) =>
    (await run(process.execPath, [CLI, 'admin', ...args, '--etcd', cluster.etcd.endpoints.join(',')], '', 60_000)).stdout;
  const owners = async () => JSON.parse(await admin('partitions', 'list', TOPIC)) as Array<{ partition: number; owner: number; leaderEpoch: number }>;

  before(async () => {
    // A slow background upload: the drain itself must upload the durability local tail.
    cluster = await BrokerCluster.start({ brokers: 3, env: { TRIBUTARY_TIER_UPLOAD_INTERVAL_MS: '5000' } });
    await cluster.createTopic(TOPIC, PARTITIONS);
  });

  after(async () => {
    await cluster?.stop();
  });

  it('lists brokers with their state and partitions with owners and epochs', async () => {
    const brokers = JSON.parse(await admin('brokers', 'list')) as Array<{ brokerId: number; state: string; controller: boolean }>;
    expect(brokers.map((b) => `${b.brokerId}:${b.state}`)).to.deep.equal(['1:running', '2:running', '3:running']);
    expect(brokers.filter((b) => b.controller)).to.have.length(1);
    expect((await owners()).map((o) => o.partition)).to.deep.equal([0, 1, 2]);
  });

  it('drains each broker in turn, restarts it, and loses no acknowledged message (durability local)', async () => {
    const producer = new ProducerLoop(cluster.kafka('drain-producer'), TOPIC, PARTITIONS);
    const consumer = new ConsumerLoop(cluster.kafka('drain-consumer'), TOPIC, 'drain-group');
    await consumer.start();
    await producer.start();
    while (producer.acked.length < 30) await sleep(50);

    for (const id of [1, 2, 3]) {
      const before = await owners();
      const out = await admin('broker', 'drain', String(id));
      expect(out).to.contain(`broker ${id} drained`);
      const after = await owners();
      expect(after.filter((o) => o.owner === id), `partitions left on broker ${id}`).to.deep.equal([]);
      for (const moved of before.filter((o) => o.owner === id)) {
        expect(after.find((o) => o.partition === moved.partition)!.leaderEpoch).to.equal(moved.leaderEpoch + 1);
      }
      await cluster.signal(id, 'SIGTERM');
      await cluster.launch(cluster.broker(id));
      await cluster.waitForBrokers(3);
      const acked = producer.acked.length;
      while (producer.acked.length < acked + 15) await sleep(50);
    }
    await producer.stop();
    await consumer.waitFor(producer.acked.map((a) => a.value), 60_000);
    await consumer.stop();
  });
});

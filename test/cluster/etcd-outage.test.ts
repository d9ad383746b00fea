import { expect } from 'chai';
import { BrokerCluster, sleep } from './support/broker-cluster';
import { ConsumerLoop, ProducerLoop } from './support/traffic';

const TOPIC = 'cluster-etcd-leader';
const PARTITIONS = 3;

describe('brokers on a 3-member etcd whose raft leader is killed', function () {
  this.timeout(120_000);
  let cluster: BrokerCluster;

  before(async () => {
    cluster = await BrokerCluster.start({ brokers: 3, etcdMembers: 3 });
    await cluster.createTopic(TOPIC, PARTITIONS);
  });

  after(async () => {
    await cluster?.stop();
  });

  it('keep serving: produce and consume carry on, every broker stays registered, nothing acknowledged is lost', async () => {
    const producer = new ProducerLoop(cluster.kafka('etcd-producer'), TOPIC, PARTITIONS);
    const consumer = new ConsumerLoop(cluster.kafka('etcd-consumer'), TOPIC, 'etcd-leader-group');
    await consumer.start();
    await producer.start();
    while (producer.acked.length < 30) await sleep(50);

    const leader = await cluster.etcd.leaderIndex();
    const killedAtMs = Date.now();
    await cluster.etcd.members[leader].kill();
    await sleep(5000);
    const ackedAfterKill = producer.acked.filter((a) => a.atMs > killedAtMs);
    await producer.stop();

    expect(ackedAfterKill.length, 'acknowledged produces in the 5 s after the etcd leader died').to.be.above(0);
    expect(new Set(ackedAfterKill.map((a) => a.partition)).size).to.equal(PARTITIONS);
    await cluster.waitForBrokers(3, 10_000);
    await consumer.waitFor(producer.acked.map((a) => a.value), 60_000);
    await consumer.stop();
  });
});

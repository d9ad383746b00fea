import { expect } from 'chai';
import { BrokerCluster, sleep } from './support/broker-cluster';
import { readLog } from './support/log-read';
import { ConsumerLoop, ProducerLoop } from './support/traffic';

const TOPIC = 'cluster-etcd-leader';
const PARTITIONS = 3;
/** A whole-etcd outage this long stays under the brokers' 2-TTL lease bound (lease TTL 3 s) with etcd's restart on top. */
const OUTAGE_MS = 3000;

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

  it('survives every etcd member stopped for a few seconds: no broker crashes, all serve again, nothing acknowledged is lost', async () => {
    // The raft leader killed above comes back first.
    await Promise.all(cluster.etcd.members.filter((member) => member.pid === null).map((member) => member.restart()));
    await cluster.waitForBrokers(3, 15_000);
    const topic = 'cluster-etcd-down';
    await cluster.createTopic(topic, PARTITIONS);
    const producer = new ProducerLoop(cluster.kafka('etcd-down-producer'), topic, PARTITIONS);
    await producer.start();
    while (producer.acked.length < 30) await sleep(50);

    const stoppedAtMs = Date.now();
    await Promise.all(cluster.etcd.members.map((member) => member.kill()));
    await sleep(OUTAGE_MS);
    await Promise.all(cluster.etcd.members.map((member) => member.restart()));
    const backAtMs = Date.now();
    const deadline = backAtMs + 20_000;
    const servedAfter = () => new Set(producer.acked.filter((a) => a.atMs > backAtMs).map((a) => a.partition)).size;
    while (servedAfter() < PARTITIONS && Date.now() < deadline) await sleep(100);
    await producer.stop();

    for (const broker of cluster.brokers) expect(broker.process, `broker ${broker.id} still running`).to.not.equal(null);
    expect(servedAfter(), `partitions acknowledged after etcd came back (down ${backAtMs - stoppedAtMs} ms)`).to.equal(PARTITIONS);
    await cluster.waitForBrokers(3, 10_000);
    const log = await readLog(cluster, topic);
    const lost = producer.acked.filter((a) => !log.positions.has(a.value));
    expect(lost.map((a) => `${a.value}@p${a.partition}`), 'acknowledged but not in the log').to.deep.equal([]);
    expect(log.duplicates(), 'stored twice').to.deep.equal([]);
  });
});

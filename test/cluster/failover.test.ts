import { expect } from 'chai';
import { run } from '../e2e/support/run';
import { BrokerCluster, sleep } from './support/broker-cluster';
import { leadersOf } from './support/leaders';
import { ConsumerLoop, ProducerLoop } from './support/traffic';

const TOPIC = 'cluster-failover';
const PARTITIONS = 3;

describe('failover of a killed partition owner', function () {
  // The kafkajs consumer takes 20-50 s to catch up after the kill: it keeps retrying the dead
  // broker (connection refused, about 3 attempts a second) before it refreshes (docs/cluster.md).
  this.timeout(150_000);
  let cluster: BrokerCluster;

  before(async () => {
    cluster = await BrokerCluster.start({ brokers: 3, env: { TRIBUTARY_TIER_UPLOAD_INTERVAL_MS: '200' } });
    await cluster.createTopic(TOPIC, PARTITIONS, { durability: 'cloud' });
  });

  after(async () => {
    await cluster?.stop();
  });

  it('serves the moved partitions again within 5 s of a kill -9, and a durability cloud topic loses no acknowledged message', async () => {
    const producer = new ProducerLoop(cluster.kafka('failover-producer'), TOPIC, PARTITIONS);
    const consumer = new ConsumerLoop(cluster.kafka('failover-consumer'), TOPIC, 'failover-group');
    await consumer.start();
    await producer.start();
    while (producer.acked.length < 60) await sleep(50);

    const before = await leadersOf(cluster, TOPIC);
    const victim = before.get(0)!;
    const moved = [...before].filter(([, leader]) => leader === victim).map(([partition]) => partition);
    const killedAtMs = Date.now();
    await cluster.signal(victim, 'SIGKILL');

    const deadline = Date.now() + 20_000;
    const servedAgain = () => producer.acked.find((a) => a.atMs > killedAtMs && moved.includes(a.partition));
    while (!servedAgain() && Date.now() < deadline) await sleep(50);
    const firstAck = servedAgain();
    expect(firstAck, `partitions ${moved.join(',')} of broker ${victim} were never served again`).to.not.equal(undefined);
    const recoveryMs = firstAck!.atMs - killedAtMs;
    expect(recoveryMs, `first acknowledged produce on a moved partition ${recoveryMs} ms after the kill`).to.be.below(5000);

    const acksAtRecovery = producer.acked.length;
    while (producer.acked.length < acksAtRecovery + 60) await sleep(50);
    await producer.stop();
    const after = await leadersOf(cluster, TOPIC);
    for (const partition of moved) expect(after.get(partition)).to.not.equal(victim);

    const waitStartMs = Date.now();
    try {
      await consumer.waitFor(producer.acked.map((a) => a.value), 90_000);
    } catch (err) {
      if (process.env.TRIBUTARY_DEBUG_CLUSTER === '1') {
        const out = await run('kcat', ['-b', cluster.bootstrap.join(','), '-C', '-t', TOPIC, '-o', 'beginning', '-e', '-q', '-f', '%p %o %s\n']);
        console.log('victim', victim, 'moved', moved, 'killedAt', killedAtMs, 'failures', producer.failures);
        console.log(JSON.stringify(producer.acked.filter((a) => !consumer.seen.has(a.value))));
        console.log(out.stdout.split('\n').filter((l) => /m-1[0-3][0-9]$/.test(l)).join('\n'));
      }
      throw err;
    }
    if (process.env.TRIBUTARY_DEBUG_CLUSTER === '1') console.log('consumer caught up in', Date.now() - waitStartMs, 'ms');
    await consumer.stop();
  });
});

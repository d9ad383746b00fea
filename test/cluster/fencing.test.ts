import { expect } from 'chai';
import { idempotentBatch, RawKafka } from '../e2e/idempotence-raw';
import { run } from '../e2e/support/run';
import { BrokerCluster, sleep } from './support/broker-cluster';
import { waitForLeader } from './support/leaders';

const TOPIC = 'cluster-fencing';
const NOT_LEADER_OR_FOLLOWER = 6;

/** A plain (non-idempotent) one-record batch. */
const plainBatch = (value: string) => idempotentBatch(-1n, -1, -1, value);

describe('a broker paused past its lease (SIGSTOP)', function () {
  this.timeout(90_000);
  let cluster: BrokerCluster;

  before(async () => {
    cluster = await BrokerCluster.start({ brokers: 3, env: { TRIBUTARY_TIER_UPLOAD_INTERVAL_MS: '200' } });
    const admin = cluster.kafka().admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 1 }] });
    await admin.disconnect();
  });

  after(async () => {
    await cluster?.stop();
  });

  it('cannot write once resumed: its partition has a new owner and it answers NOT_LEADER_OR_FOLLOWER', async () => {
    const owner = await waitForLeader(cluster, TOPIC, 0, (leader) => leader > 0);
    const raw = await RawKafka.connect(cluster.broker(owner).port);
    try {
      expect((await raw.produce(TOPIC, 0, plainBatch('before-pause'))).errorCode).to.equal(0);
      await sleep(1000);

      await cluster.signal(owner, 'SIGSTOP');
      const others = cluster.bootstrap.filter((b) => b !== `127.0.0.1:${cluster.broker(owner).port}`);
      const successor = await waitForLeader(cluster, TOPIC, 0, (leader) => leader > 0 && leader !== owner, others);
      const producer = cluster.kafka('fencing-producer', others, 3000).producer();
      await producer.connect();
      await producer.send({ topic: TOPIC, messages: [{ value: 'written-by-successor', partition: 0 }] });
      await producer.disconnect();

      await cluster.signal(owner, 'SIGCONT');
      const refused = await raw.produce(TOPIC, 0, plainBatch('from-the-paused-owner'));
      expect(refused.errorCode).to.equal(NOT_LEADER_OR_FOLLOWER);

      const { stdout } = await run('kcat', ['-b', `127.0.0.1:${cluster.broker(successor).port}`, '-C', '-t', TOPIC, '-p', '0',
        '-o', 'beginning', '-e', '-q', '-f', '%o %s\n']);
      expect(stdout.trim().split('\n')).to.deep.equal(['0 before-pause', '1 written-by-successor']);
    } finally {
      raw.close();
    }
    // The resumed broker registers again under a new lease and is listed once more.
    await cluster.waitForBrokers(3);
  });
});

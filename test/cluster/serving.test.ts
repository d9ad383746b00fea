import { expect } from 'chai';
import { listBrokerLoads } from '../../src/coordination/broker-load';
import { EtcdMetadataStore } from '../../src/coordination/etcd/etcd-store';
import { clusterKeys } from '../../src/coordination/keys';
import { idempotentBatch, RawKafka } from '../e2e/idempotence-raw';
import { run } from '../e2e/support/run';
import { BrokerCluster, sleep } from './support/broker-cluster';
import { fetchFrom, listOffsetsFrom } from './support/partition-wire';
import { leadersOf } from './support/leaders';
import { consumeAll } from './support/consume-all';

const TOPIC = 'cluster-serving';
const PARTITIONS = 6;

/** Metadata as one broker answers it, reduced to what must agree across brokers. */
async function metadataFrom(cluster: BrokerCluster, bootstrap: string, topic: string) {
  const admin = cluster.kafka('metadata-probe', [bootstrap]).admin({ retry: { retries: 0 } });
  await admin.connect();
  try {
    const described = await admin.describeCluster();
    const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
    return {
      brokers: described.brokers.map((b) => `${b.nodeId}@${b.host}:${b.port}`).sort(),
      controller: described.controller,
      leaders: topics[0].partitions.map((p) => `${p.partitionId}:${p.leader}`).sort(),
    };
  } finally {
    await admin.disconnect();
  }
}

async function waitForLeaders(cluster: BrokerCluster, topic: string, partitions: number): Promise<void> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const view = await metadataFrom(cluster, cluster.bootstrap[0], topic).catch(() => null);
    if (view && view.leaders.length === partitions && view.leaders.every((l) => !l.endsWith(':-1'))) return;
    await sleep(200);
  }
  throw new Error(`${topic} never had a leader for all ${partitions} partitions`);
}

describe('a cluster of three brokers on one etcd', function () {
  this.timeout(90_000);
  let cluster: BrokerCluster;

  before(async () => {
    cluster = await BrokerCluster.start({ brokers: 3 });
    const admin = cluster.kafka().admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: PARTITIONS }], waitForLeaders: false });
    await admin.disconnect();
    await waitForLeaders(cluster, TOPIC, PARTITIONS);
  });

  after(async () => {
    await cluster?.stop();
  });

  it('answers Metadata identically on every broker, with a live controller and leaders spread over all three', async () => {
    const views = await Promise.all(cluster.bootstrap.map((b) => metadataFrom(cluster, b, TOPIC)));
    for (const view of views.slice(1)) expect(view).to.deep.equal(views[0]);
    expect(views[0].brokers).to.have.length(3);
    expect([1, 2, 3]).to.include(views[0].controller);
    const leaders = new Set(views[0].leaders.map((l) => l.split(':')[1]));
    expect([...leaders].sort()).to.deep.equal(['1', '2', '3']);
  });

  it('lets kafkajs produce through one broker and consume through another, every partition on its owner', async () => {
    const [first, , third] = cluster.bootstrap;
    const producer = cluster.kafka('producer', [first]).producer();
    await producer.connect();
    const values = Array.from({ length: 120 }, (_, i) => `kafkajs-${i}`);
    for (let i = 0; i < values.length; i += 20) {
      await producer.send({ topic: TOPIC, messages: values.slice(i, i + 20).map((value, j) => ({ key: `k${i + j}`, value })) });
    }
    await producer.disconnect();
    const seen = await consumeAll(cluster.kafka('consumer', [third]), TOPIC, 'cluster-serving-group', values.length);
    expect([...seen].sort()).to.deep.equal([...values].sort());
  });

  it('has every broker publish its load (messages in per second) for the controller', async () => {
    const store = EtcdMetadataStore.connect(cluster.etcd.endpoints);
    try {
      const keys = clusterKeys('/tributary');
      const deadline = Date.now() + 15_000;
      let loads = await listBrokerLoads(store, keys);
      while (loads.size < 3 && Date.now() < deadline) {
        await sleep(200);
        loads = await listBrokerLoads(store, keys);
      }
      expect([...loads.keys()].sort()).to.deep.equal([1, 2, 3]);
      // The 120 messages of the previous test were appended on all three brokers: some report saw them.
      const producer = cluster.kafka('load-producer').producer();
      await producer.connect();
      const busyUntil = Date.now() + 15_000;
      let reported = false;
      while (!reported && Date.now() < busyUntil) {
        await producer.send({ topic: TOPIC, messages: Array.from({ length: 50 }, (_, i) => ({ value: `load-${i}` })) });
        await sleep(100);
        reported = [...(await listBrokerLoads(store, keys)).values()].some((rate) => rate > 0);
      }
      await producer.disconnect();
      expect(reported, 'a broker reported messages in while kafkajs produced').to.equal(true);
    } finally {
      await store.close();
    }
  });

  it('answers Produce, Fetch and ListOffsets for a partition with NOT_LEADER_OR_FOLLOWER on every broker but its owner', async () => {
    const leaders = await leadersOf(cluster, TOPIC);
    for (const [partition, owner] of leaders) {
      for (const broker of cluster.brokers) {
        const raw = await RawKafka.connect(broker.port);
        const produced = await raw.produce(TOPIC, partition, idempotentBatch(-1n, -1, -1, `wire-${partition}-${broker.id}`)).finally(() => raw.close());
        const fetched = await fetchFrom(cluster, broker.id, TOPIC, partition, 0n);
        const listed = await listOffsetsFrom(cluster, broker.id, TOPIC, partition, -1n);
        const expected = broker.id === owner ? 0 : 6;
        expect([produced.errorCode, fetched.errorCode, listed.errorCode], `partition ${partition} (owner ${owner}) asked at broker ${broker.id}`)
          .to.deep.equal([expected, expected, expected]);
        if (broker.id === owner) expect(listed.offset, 'the owner answers its end offset').to.equal(fetched.highWatermark);
      }
    }
  });

  it('refuses a second broker process with a live broker id: it exits 1 naming the id and the holder', async () => {
    const holder = cluster.broker(2);
    const { code, output } = await cluster.runUntilExit(2, 30_000);
    expect(code).to.equal(1);
    expect(output).to.contain('DUPLICATE_BROKER_ID');
    expect(output).to.contain(`broker id 2 is already registered by a live broker at 127.0.0.1:${holder.port}`);
    expect(holder.process, 'the holder keeps running').to.not.equal(null);
    await cluster.waitForBrokers(3, 5000);
  });

  it('lets kcat produce to one broker and read every message back from another', async () => {
    const topic = 'cluster-kcat';
    const [, second, third] = cluster.bootstrap;
    const lines = Array.from({ length: 50 }, (_, i) => `kcat-${i}`);
    await run('kcat', ['-b', second, '-P', '-t', topic, '-p', '-1', '-K', ':'], lines.map((l) => `${l}:${l}`).join('\n') + '\n');
    const { stdout } = await run('kcat', ['-b', third, '-C', '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%s\n']);
    expect(stdout.trim().split('\n').sort()).to.deep.equal([...lines].sort());
  });
});

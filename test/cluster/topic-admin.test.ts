import { expect } from 'chai';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { run } from '../e2e/support/run';
import { BrokerCluster, sleep } from './support/broker-cluster';
import { consumeAll } from './support/consume-all';
import { controllerOf, kafkaSteeredTo, topicOn, untilEveryBroker, wireTo, ZERO_UUID } from './support/admin-wire';

const NONE = 0;
const UNKNOWN_TOPIC_OR_PARTITION = 3;
const REQUEST_TIMED_OUT = 7;
const INVALID_TOPIC_EXCEPTION = 17;
const TOPIC_ALREADY_EXISTS = 36;
const INVALID_PARTITIONS = 37;
const INVALID_REPLICATION_FACTOR = 38;
const INVALID_CONFIG = 40;

const led = (view: { errorCode: number; leaders: number[] }, partitions: number) =>
  view.errorCode === NONE && view.leaders.length === partitions && view.leaders.every((l) => l > 0);

const createTopic = (name: string, numPartitions: number, configs: Array<{ name: string; value: string }> = [], replicationFactor = -1) =>
  ({ name, numPartitions, replicationFactor, assignments: [], configs });

/** Partition directories of the topic in broker data dirs (the WAL keeps `<data>/logs/<topic>-<p>`). */
function partitionDirs(cluster: BrokerCluster, topic: string, partitions: number): string[] {
  return cluster.brokers.flatMap((b) => Array.from({ length: partitions }, (_, p) => join(b.dataDir, 'logs', `${topic}-${p}`)))
    .filter((dir) => existsSync(dir));
}

describe('topic admin on any broker of a three-broker cluster', function () {
  this.timeout(60_000);
  let cluster: BrokerCluster;
  let controller: number;
  let others: number[];

  before(async function () {
    this.timeout(90_000);
    cluster = await BrokerCluster.start({ brokers: 3 });
    controller = await controllerOf(cluster);
    others = cluster.brokers.map((b) => b.id).filter((id) => id !== controller);
    expect(others).to.have.length(2);
  });

  after(async () => {
    await cluster?.stop();
  });

  it('creates, grows and deletes topics with kafkajs admin sent to each non-controller broker; every broker agrees and the owners remove the data', async () => {
    for (const target of others) {
      const topic = `admin-via-${target}`;
      const { kafka, steered } = kafkaSteeredTo(cluster, controller, target, `admin-${target}`);
      const admin = kafka.admin();
      await admin.connect();
      try {
        expect(await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: false })).to.equal(true);
        // The answer came after the controller's assignment reached the broker that answered.
        expect(led(await topicOn(cluster, target, topic), 3)).to.equal(true);
        const views = await untilEveryBroker(cluster, topic, (v) => led(v, 3));
        expect(new Set(views.map((v) => v.topicId)).size).to.equal(1);
        expect(new Set(views.map((v) => JSON.stringify(v.leaders))).size).to.equal(1);

        await admin.createPartitions({ topicPartitions: [{ topic, count: 5 }] });
        expect(led(await topicOn(cluster, target, topic), 5)).to.equal(true);
        await untilEveryBroker(cluster, topic, (v) => led(v, 5));

        const producer = cluster.kafka(`writer-${target}`).producer();
        await producer.connect();
        await producer.send({ topic, messages: Array.from({ length: 5 }, (_, partition) => ({ partition, value: `v${partition}` })) });
        await producer.disconnect();
        expect(partitionDirs(cluster, topic, 5)).to.have.length(5);

        await admin.deleteTopics({ topics: [topic] });
        expect((await topicOn(cluster, target, topic)).errorCode).to.equal(UNKNOWN_TOPIC_OR_PARTITION);
        await untilEveryBroker(cluster, topic, (v) => v.errorCode === UNKNOWN_TOPIC_OR_PARTITION);
        for (let attempt = 0; attempt < 100 && partitionDirs(cluster, topic, 5).length > 0; attempt++) await sleep(100);
        expect(partitionDirs(cluster, topic, 5)).to.deep.equal([]);
        expect(await admin.listTopics()).to.not.include(topic);
      } finally {
        await admin.disconnect();
      }
      expect(steered(), 'kafkajs connections to the controller address went to the chosen broker').to.be.greaterThan(0);
    }
  });

  it('lets two brokers race to create one topic (one creates it, the other answers TOPIC_ALREADY_EXISTS, all agree on one topic id) and to delete it (one deletes it, the other finds it gone)', async () => {
    const [a, b] = others;
    for (let round = 0; round < 5; round++) {
      const topic = `raced-${round}`;
      const pair = round % 2 === 0 ? [a, b] : [controller, a];
      const answers = await Promise.all(pair.map((id) => wireTo(cluster, id, async (client) =>
        (await client.request(19, 7, { topics: [createTopic(topic, 2)], timeoutMs: 10_000, validateOnly: false })).topics[0])));
      expect(answers.map((t: { errorCode: number }) => t.errorCode).sort((x, y) => x - y)).to.deep.equal([NONE, TOPIC_ALREADY_EXISTS]);
      const winner = answers.find((t: { errorCode: number }) => t.errorCode === NONE);
      const views = await untilEveryBroker(cluster, topic, (v) => led(v, 2));
      expect(views.map((v) => v.topicId)).to.deep.equal(views.map(() => winner.topicId));
    }
    const deletions = await Promise.all(others.map((id) => wireTo(cluster, id, async (client) =>
      (await client.request(20, 6, { topics: [{ name: 'raced-0', topicId: ZERO_UUID }], timeoutMs: 10_000 })).responses[0])));
    expect(deletions.map((r: { errorCode: number }) => r.errorCode).sort((x, y) => x - y)).to.deep.equal([NONE, UNKNOWN_TOPIC_OR_PARTITION]);
    await untilEveryBroker(cluster, 'raced-0', (v) => v.errorCode === UNKNOWN_TOPIC_OR_PARTITION);

    const racers = others.map((id) => kafkaSteeredTo(cluster, controller, id, `racer-${id}`).kafka.admin());
    await Promise.all(racers.map((admin) => admin.connect()));
    try {
      const created = await Promise.all(racers.map((admin) => admin.createTopics({ topics: [{ topic: 'raced-kafkajs', numPartitions: 2 }] })));
      expect([...created].sort()).to.deep.equal([false, true]);
    } finally {
      await Promise.all(racers.map((admin) => admin.disconnect()));
    }
  });

  it('starts a topic deleted and at once created again under its name (through two non-controllers) empty, with a new id everywhere', async () => {
    const topic = 'reborn';
    const [a, b] = others;
    const create = (id: number) => wireTo(cluster, id, async (client) =>
      (await client.request(19, 7, { topics: [createTopic(topic, 3)], timeoutMs: 10_000, validateOnly: false })).topics[0]);
    const old = await create(a);
    expect(old.errorCode).to.equal(NONE);
    const producer = cluster.kafka('reborn-writer').producer();
    await producer.connect();
    await producer.send({ topic, messages: [0, 1, 2].map((partition) => ({ partition, value: `old-${partition}` })) });
    const deleted = await wireTo(cluster, a, async (client) =>
      (await client.request(20, 6, { topics: [{ name: topic, topicId: ZERO_UUID }], timeoutMs: 10_000 })).responses[0]);
    expect(deleted.errorCode).to.equal(NONE);
    const reborn = await create(b);
    expect(reborn.errorCode).to.equal(NONE);
    expect(reborn.topicId).to.not.equal(old.topicId);
    const views = await untilEveryBroker(cluster, topic, (v) => led(v, 3) && v.topicId === reborn.topicId);
    expect(views).to.have.length(3);
    await producer.send({ topic, messages: [0, 1, 2].map((partition) => ({ partition, value: `new-${partition}` })) });
    await producer.disconnect();
    const seen = await consumeAll(cluster.kafka('reborn-reader'), topic, 'reborn-reader', 3);
    expect([...seen].sort()).to.deep.equal(['new-0', 'new-1', 'new-2']);
    const admin = cluster.kafka('reborn-admin').admin();
    await admin.connect();
    try {
      const offsets = await admin.fetchTopicOffsets(topic);
      expect(offsets.map((o) => `${o.partition}:${o.low}-${o.high}`).sort()).to.deep.equal(['0:0-1', '1:0-1', '2:0-1']);
    } finally {
      await admin.disconnect();
    }
  });

  it('answers per topic on a non-controller: validateOnly creates nothing, and each bad topic fails alone', async () => {
    const target = others[0];
    await wireTo(cluster, target, async (client) => {
      const existing = (await client.request(19, 7, { topics: [createTopic('per-topic-existing', 1)], timeoutMs: 10_000, validateOnly: false })).topics[0];
      expect(existing.errorCode).to.equal(NONE);

      const dry = await client.request(19, 7, {
        topics: [createTopic('per-topic-dry', 3), createTopic('per-topic-existing', 1), createTopic('bad name', 1)], timeoutMs: 10_000, validateOnly: true,
      });
      expect(dry.topics.map((t: { errorCode: number }) => t.errorCode)).to.deep.equal([NONE, TOPIC_ALREADY_EXISTS, INVALID_TOPIC_EXCEPTION]);
      expect(dry.topics[0].numPartitions).to.equal(3);

      const mixed = await client.request(19, 7, {
        topics: [createTopic('per-topic-good', 2), createTopic('per-topic-config', 1, [{ name: 'no.such.config', value: '1' }]), createTopic('per-topic-rf', 1, [], 3)],
        timeoutMs: 10_000, validateOnly: false,
      });
      expect(mixed.topics.map((t: { errorCode: number }) => t.errorCode)).to.deep.equal([NONE, INVALID_CONFIG, INVALID_REPLICATION_FACTOR]);

      const grow = await client.request(37, 3, {
        topics: [{ name: 'per-topic-good', count: 1, assignments: null }, { name: 'per-topic-missing', count: 4, assignments: null }, { name: 'per-topic-existing', count: 3, assignments: null }],
        timeoutMs: 10_000, validateOnly: true,
      });
      expect(grow.results.map((r: { errorCode: number }) => r.errorCode)).to.deep.equal([INVALID_PARTITIONS, UNKNOWN_TOPIC_OR_PARTITION, NONE]);

      const deleted = await client.request(20, 6, { topics: [{ name: 'per-topic-missing', topicId: ZERO_UUID }, { name: 'per-topic-config', topicId: ZERO_UUID }], timeoutMs: 10_000 });
      expect(deleted.responses.map((r: { errorCode: number }) => r.errorCode)).to.deep.equal([UNKNOWN_TOPIC_OR_PARTITION, UNKNOWN_TOPIC_OR_PARTITION]);
    });
    await untilEveryBroker(cluster, 'per-topic-good', (v) => led(v, 2));
    await untilEveryBroker(cluster, 'per-topic-existing', (v) => led(v, 1));
    for (const id of cluster.brokers.map((b) => b.id)) {
      for (const topic of ['per-topic-dry', 'per-topic-config', 'per-topic-rf']) {
        expect((await topicOn(cluster, id, topic)).errorCode, `${topic} on broker ${id}`).to.equal(UNKNOWN_TOPIC_OR_PARTITION);
      }
    }
  });

  it('places partitions where CreateTopics and CreatePartitions replica assignments name, pinned so the rebalancer leaves them', async () => {
    const topic = 'admin-placed';
    const [a, b] = others;
    const admin = cluster.kafka('admin-placement').admin();
    await admin.connect();
    try {
      expect(await admin.createTopics({
        topics: [{ topic, replicaAssignment: [{ partition: 0, replicas: [b] }, { partition: 1, replicas: [b] }, { partition: 2, replicas: [a] }] }],
      })).to.equal(true);
      await admin.createPartitions({ topicPartitions: [{ topic, count: 4, assignments: [[controller]] }] });
    } finally {
      await admin.disconnect();
    }
    const views = await untilEveryBroker(cluster, topic, (v) => led(v, 4));
    expect(views[0].leaders).to.deep.equal([b, b, a, controller]);
    const owners = JSON.parse((await cluster.admin(['partitions', 'list', topic])).stdout) as Array<{ partition: number; owner: number; pinned: boolean }>;
    expect(owners.map((o) => [o.partition, o.owner, o.pinned])).to.deep.equal([[0, b, true], [1, b, true], [2, a, true], [3, controller, true]]);
  });

  it('serves an idempotent kafkajs producer bootstrapped only at a non-controller, its producer id from that broker', async () => {
    const ids = await Promise.all(cluster.brokers.map((b) => wireTo(cluster, b.id, async (client) =>
      client.request(22, 1, { transactionalId: null, transactionTimeoutMs: 60_000 }))));
    expect(ids.map((r) => r.errorCode)).to.deep.equal([NONE, NONE, NONE]);
    expect(new Set(ids.map((r) => String(r.producerId))).size).to.equal(3);

    const target = others[1];
    const topic = 'idempotent-non-controller';
    const admin = cluster.kafka('idempotent-admin').admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 6 }] });
    await admin.disconnect();
    const [view] = await untilEveryBroker(cluster, topic, (v) => led(v, 6));
    // Steering the controller's address to the target sends InitProducerId there; produce goes
    // only to partitions the controller does not own, which the steering leaves reachable.
    const partitions = view.leaders.flatMap((leader, p) => (leader === controller ? [] : [p]));
    expect(partitions.length).to.be.greaterThan(0);

    const { kafka, steered } = kafkaSteeredTo(cluster, controller, target, 'idempotent-producer');
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const values: string[] = [];
    for (let round = 0; round < 10; round++) {
      const messages = partitions.map((partition) => ({ partition, value: `m-${round}-${partition}` }));
      await producer.send({ topic, acks: -1, messages });
      values.push(...messages.map((m) => m.value));
    }
    await producer.disconnect();
    expect(steered()).to.be.greaterThan(0);

    expect([...await consumeAll(cluster.kafka(`${topic}-reader`), topic, `${topic}-reader`, values.length)].sort()).to.deep.equal([...values].sort());
  });

  it('serves an idempotent librdkafka producer (confluent-kafka) bootstrapped only at a non-controller', async () => {
    const topic = 'idempotent-librdkafka';
    await wireTo(cluster, others[0], async (client) =>
      expect((await client.request(19, 7, { topics: [createTopic(topic, 3)], timeoutMs: 10_000, validateOnly: false })).topics[0].errorCode).to.equal(NONE));
    const script = [
      'import sys',
      'from confluent_kafka import Producer',
      "p = Producer({'bootstrap.servers': sys.argv[1], 'enable.idempotence': True, 'acks': 'all'})",
      'errors = []',
      'def done(err, msg):',
      '    if err: errors.append(str(err))',
      "for i in range(int(sys.argv[3])): p.produce(sys.argv[2], value=('lr-%d' % i).encode(), callback=done)",
      'left = p.flush(30)',
      "if left or errors: sys.exit('unsent %d, errors %s' % (left, errors[:3]))",
    ].join('\n');
    await run('/usr/bin/python3', ['-c', script, `127.0.0.1:${cluster.broker(others[1]).port}`, topic, '300'], '', 45_000);
    const values = Array.from({ length: 300 }, (_, i) => `lr-${i}`);
    expect([...await consumeAll(cluster.kafka(`${topic}-reader`), topic, `${topic}-reader`, values.length)].sort()).to.deep.equal([...values].sort());
  });

  it('answers REQUEST_TIMED_OUT when the controller cannot assign within timeoutMs; the topic gets its leaders once it can', async () => {
    const target = others[0];
    const topic = 'admin-controller-frozen';
    await cluster.signal(controller, 'SIGSTOP');
    let answer: { errorCode: number };
    try {
      answer = await wireTo(cluster, target, async (client) =>
        (await client.request(19, 7, { topics: [createTopic(topic, 2)], timeoutMs: 300, validateOnly: false })).topics[0]);
    } finally {
      await cluster.signal(controller, 'SIGCONT');
    }
    expect(answer.errorCode).to.equal(REQUEST_TIMED_OUT);
    const views = await untilEveryBroker(cluster, topic, (v) => led(v, 2), 30_000);
    expect(new Set(views.map((v) => v.topicId)).size).to.equal(1);
  });

  it('removes, once it is back, the local data a broker held of a topic deleted while it was down', async () => {
    const topic = 'deleted-while-away';
    await wireTo(cluster, others[0], async (client) =>
      expect((await client.request(19, 7, { topics: [createTopic(topic, 3)], timeoutMs: 10_000, validateOnly: false })).topics[0].errorCode).to.equal(NONE));
    const [view] = await untilEveryBroker(cluster, topic, (v) => led(v, 3));
    const producer = cluster.kafka('away-writer').producer();
    await producer.connect();
    await producer.send({ topic, messages: [0, 1, 2].map((partition) => ({ partition, value: `v${partition}` })) });
    await producer.disconnect();
    const away = cluster.broker(view.leaders.find((leader) => leader !== controller)!);
    const awayDirs = () => partitionDirs(cluster, topic, 3).filter((dir) => dir.startsWith(away.dataDir));
    expect(awayDirs()).to.not.deep.equal([]);

    await cluster.signal(away.id, 'SIGKILL');
    const deleted = await wireTo(cluster, controller, async (client) =>
      (await client.request(20, 6, { topics: [{ name: topic, topicId: ZERO_UUID }], timeoutMs: 15_000 })).responses[0]);
    expect(deleted.errorCode).to.equal(NONE);
    expect(awayDirs()).to.not.deep.equal([]);

    await cluster.launch(away);
    await cluster.waitForBrokers(3);
    expect(awayDirs()).to.deep.equal([]);
    expect(readdirSync(join(away.dataDir, 'cluster', 'epochs')).filter((m) => m.startsWith(view.topicId))).to.deep.equal([]);
  });
});

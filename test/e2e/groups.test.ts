import { expect } from 'chai';
import type { Consumer, Kafka } from 'kafkajs';
import {
  eventually, freePort, InProcessBroker, kafkaClient, removeDir, sleep, spawnBroker, startGroupsBroker, tempDataDir,
} from './groups-harness';

const TOPIC = 'orders';

interface Tracked {
  consumer: Consumer;
  /** Partitions of TOPIC in the latest assignment. */
  assigned: number[];
  seen: Array<{ partition: number; offset: string; value: string }>;
}

async function runConsumer(kafka: Kafka, groupId: string, onMessage?: () => Promise<void>): Promise<Tracked> {
  const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 500, rebalanceTimeout: 10_000, maxWaitTimeInMs: 200 });
  const tracked: Tracked = { consumer, assigned: [], seen: [] };
  consumer.on(consumer.events.GROUP_JOIN, (e) => {
    tracked.assigned = [...(e.payload.memberAssignment[TOPIC] ?? [])].sort();
  });
  await consumer.connect();
  await consumer.subscribe({ topics: [TOPIC], fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      tracked.seen.push({ partition, offset: message.offset, value: message.value?.toString() ?? '' });
      await onMessage?.();
    },
  });
  return tracked;
}

async function produce(kafka: Kafka, count: number, prefix: string): Promise<void> {
  const producer = kafka.producer();
  await producer.connect();
  for (let i = 0; i < count; i += 100) {
    const messages = Array.from({ length: Math.min(100, count - i) }, (_, j) => ({ key: `k${i + j}`, value: `${prefix}-${i + j}` }));
    await producer.send({ topic: TOPIC, messages });
  }
  await producer.disconnect();
}

describe('kafkajs consumer groups (e2e)', function () {
  this.timeout(60_000);
  let dataDir: string;
  let broker: InProcessBroker;
  let kafka: Kafka;

  beforeEach(async () => {
    dataDir = tempDataDir('groups');
    broker = await startGroupsBroker(dataDir);
    kafka = kafkaClient(broker.bootstrap);
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 4 }] });
    await admin.disconnect();
  });

  afterEach(async () => {
    await broker.close();
    removeDir(dataDir);
  });

  it('splits 4 partitions between two consumers with no overlap, and gives all to the survivor when one disconnects', async () => {
    const a = await runConsumer(kafka, 'split');
    const b = await runConsumer(kafka, 'split');
    await eventually(() => a.assigned.length > 0 && b.assigned.length > 0 && a.assigned.length + b.assigned.length === 4,
      20_000, 'both consumers get partitions');
    expect([...a.assigned, ...b.assigned].sort()).to.deep.equal([0, 1, 2, 3]);
    await b.consumer.disconnect();
    await eventually(() => a.assigned.length === 4, 20_000, 'the survivor gets every partition');
    expect(a.assigned).to.deep.equal([0, 1, 2, 3]);
    await a.consumer.disconnect();
  });

  it('consumes every message exactly once across the group when nothing fails', async () => {
    const a = await runConsumer(kafka, 'once');
    const b = await runConsumer(kafka, 'once');
    await eventually(() => a.assigned.length + b.assigned.length === 4 && a.assigned.length > 0 && b.assigned.length > 0, 20_000, 'stable group');
    await produce(kafka, 1000, 'm');
    await eventually(() => a.seen.length + b.seen.length >= 1000, 30_000, 'all 1000 messages consumed');
    await sleep(500);
    const all = [...a.seen, ...b.seen];
    expect(all).to.have.length(1000);
    expect(new Set(all.map((m) => m.value)).size).to.equal(1000);
    expect(a.seen.every((m) => a.assigned.includes(m.partition))).to.equal(true);
    expect(b.seen.every((m) => b.assigned.includes(m.partition))).to.equal(true);
    await Promise.all([a.consumer.disconnect(), b.consumer.disconnect()]);
  });

  it('resumes from committed offsets after a consumer restart', async () => {
    await produce(kafka, 100, 'first');
    const first = await runConsumer(kafka, 'resume');
    await eventually(() => first.seen.length === 100, 20_000, 'first 100 consumed');
    await first.consumer.disconnect();
    await produce(kafka, 50, 'second');
    const second = await runConsumer(kafka, 'resume');
    await eventually(() => second.seen.length >= 50, 20_000, 'the 50 new messages consumed');
    await sleep(500);
    expect(second.seen.map((m) => m.value).every((v) => v.startsWith('second-'))).to.equal(true);
    expect(second.seen).to.have.length(50);
    await second.consumer.disconnect();
  });

  it('resumes from committed offsets after a broker restart', async () => {
    await produce(kafka, 100, 'before');
    const first = await runConsumer(kafka, 'restart');
    await eventually(() => first.seen.length === 100, 20_000, 'first 100 consumed');
    await first.consumer.disconnect();
    await broker.close();
    broker = await startGroupsBroker(dataDir, broker.port);
    await produce(kafka, 30, 'after');
    const second = await runConsumer(kafka, 'restart');
    await eventually(() => second.seen.length >= 30, 20_000, 'the 30 new messages consumed');
    await sleep(500);
    expect(second.seen.map((m) => m.value).sort()).to.deep.equal(Array.from({ length: 30 }, (_, i) => `after-${i}`).sort());
    await second.consumer.disconnect();
  });
});

describe('Committed offsets survive kill -9 (e2e)', function () {
  this.timeout(60_000);

  it('keeps every acknowledged commit, negative sentinels included, across a SIGKILL', async () => {
    const dataDir = tempDataDir('kill9');
    const port = await freePort();
    let child = await spawnBroker(dataDir, port);
    try {
      const kafka = kafkaClient(child.bootstrap);
      const admin = kafka.admin();
      await admin.connect();
      await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 4 }] });
      await admin.setOffsets({ groupId: 'durable', topic: TOPIC, partitions: [{ partition: 0, offset: '17' }, { partition: 1, offset: '-2' }, { partition: 2, offset: '-1' }] });
      await admin.disconnect();
      await child.kill();
      child = await spawnBroker(dataDir, port);
      const again = kafkaClient(child.bootstrap).admin();
      await again.connect();
      const [fetched] = await again.fetchOffsets({ groupId: 'durable', topics: [TOPIC] });
      await again.disconnect();
      const byPartition = Object.fromEntries(fetched.partitions.map((p) => [p.partition, p.offset]));
      expect(byPartition).to.deep.equal({ 0: '17', 1: '-2', 2: '-1', 3: '-1' });
    } finally {
      await child.kill();
      removeDir(dataDir);
    }
  });
});

import { expect } from 'chai';
import { execFile, spawn } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Kafka } from 'kafkajs';
import { eventually, InProcessBroker, kafkaClient, removeDir, startGroupsBroker, tempDataDir } from './groups-harness';

const run = promisify(execFile);
const PYTHON = '/usr/bin/python3';

const KAFKA_PYTHON_CONSUMER = `
import json, sys
from kafka import KafkaConsumer, TopicPartition
bootstrap, topic, group, expected = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
c = KafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=group, auto_offset_reset='earliest',
                  enable_auto_commit=False, consumer_timeout_ms=10000, session_timeout_ms=10000)
seen = []
for m in c:
    seen.append([m.partition, m.offset])
    if len(seen) >= expected:
        break
c.commit()
parts = [TopicPartition(topic, p) for p in sorted(c.partitions_for_topic(topic))]
committed = {str(tp.partition): c.committed(tp) for tp in parts}
end = {str(tp.partition): v for tp, v in c.end_offsets(parts).items()}
c.seek_to_beginning()
again = []
for _ in range(20):
    for recs in c.poll(timeout_ms=500).values():
        again.extend(r.offset for r in recs)
    if len(again) >= expected:
        break
c.close()
print(json.dumps({"seen": seen, "committed": committed, "end": end, "again": len(again), "minAgain": min(again) if again else None}))
`;

const KAFKA_PYTHON_JOINER = `
import sys
from kafka import KafkaConsumer
c = KafkaConsumer(sys.argv[2], bootstrap_servers=sys.argv[1], group_id=sys.argv[3], session_timeout_ms=10000)
try:
    for _ in range(20):
        c.poll(timeout_ms=500)
    print("joined")
except Exception as e:
    print(type(e).__name__)
`;

async function produce(kafka: Kafka, topic: string, count: number): Promise<void> {
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic, messages: Array.from({ length: count }, (_, i) => ({ key: `k${i}`, value: `v${i}` })) });
  await producer.disconnect();
}

describe('Consumer groups with kcat, kafka-python and the kafkajs admin (e2e)', function () {
  this.timeout(60_000);
  let dataDir: string;
  let broker: InProcessBroker;
  let kafka: Kafka;

  beforeEach(async () => {
    dataDir = tempDataDir('group-clients');
    broker = await startGroupsBroker(dataDir);
    kafka = kafkaClient(broker.bootstrap);
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'events', numPartitions: 4 }] });
    await admin.disconnect();
    await produce(kafka, 'events', 40);
  });

  afterEach(async () => {
    await broker.close();
    removeDir(dataDir);
  });

  it('lets a kcat -G balanced consumer read every message once and commit', async () => {
    const { stdout } = await run('kcat', ['-b', broker.bootstrap, '-G', 'kcat-group', '-X', 'auto.offset.reset=earliest', '-c', '40', '-q', '-f', '%p:%o\\n', 'events'],
      { timeout: 30_000 });
    const lines = stdout.trim().split('\n');
    expect(lines).to.have.length(40);
    expect(new Set(lines).size).to.equal(40);
    const admin = kafka.admin();
    await admin.connect();
    const [offsets] = await admin.fetchOffsets({ groupId: 'kcat-group', topics: ['events'] });
    await admin.disconnect();
    const total = offsets.partitions.reduce((n, p) => n + Number(p.offset), 0);
    expect(total).to.equal(40);
  });

  it('serves kafka-python KafkaConsumer(group_id) with commit, committed(), end_offsets and seek_to_beginning', async () => {
    const { stdout } = await run(PYTHON, ['-c', KAFKA_PYTHON_CONSUMER, broker.bootstrap, 'events', 'py-group', '40'], { timeout: 50_000 });
    const result = JSON.parse(stdout.trim().split('\n').pop() as string);
    expect(result.seen).to.have.length(40);
    expect(new Set(result.seen.map((s: number[]) => s.join(':'))).size).to.equal(40);
    expect(result.committed).to.deep.equal(result.end);
    expect(Object.values(result.end).reduce((a: number, b) => a + (b as number), 0)).to.equal(40);
    expect(result.again).to.be.at.least(1);
    expect(result.minAgain).to.equal(0);
  });

  it('lists, describes, fetches and resets group offsets through the kafkajs admin', async () => {
    const consumer = kafka.consumer({ groupId: 'admin-group', maxWaitTimeInMs: 200 });
    let consumed = 0;
    await consumer.connect();
    await consumer.subscribe({ topics: ['events'], fromBeginning: true });
    await consumer.run({ eachMessage: async () => { consumed += 1; } });
    await eventually(() => consumed === 40, 20_000, 'all consumed');
    const admin = kafka.admin();
    await admin.connect();
    const { groups } = await admin.listGroups();
    expect(groups).to.deep.include({ groupId: 'admin-group', protocolType: 'consumer' });
    const described = await admin.describeGroups(['admin-group']);
    expect(described.groups[0]).to.include({ groupId: 'admin-group', state: 'Stable', protocolType: 'consumer' });
    expect(described.groups[0].members).to.have.length(1);
    await consumer.disconnect();
    const [committed] = await admin.fetchOffsets({ groupId: 'admin-group', topics: ['events'] });
    expect(committed.partitions.reduce((n, p) => n + Number(p.offset), 0)).to.equal(40);
    await admin.resetOffsets({ groupId: 'admin-group', topic: 'events', earliest: true });
    const [reset] = await admin.fetchOffsets({ groupId: 'admin-group', topics: ['events'] });
    expect(reset.partitions.map((p) => p.offset)).to.deep.equal(['-2', '-2', '-2', '-2']);
    const deleted = await admin.deleteGroups(['admin-group']);
    expect(deleted[0].errorCode).to.equal(0);
    await admin.disconnect();
  });

  it('fails a kafka-python member joining a kafkajs group with INCONSISTENT_GROUP_PROTOCOL instead of hanging', async () => {
    const consumer = kafka.consumer({ groupId: 'mixed', maxWaitTimeInMs: 200 });
    let assigned = 0;
    consumer.on(consumer.events.GROUP_JOIN, (e) => { assigned = (e.payload.memberAssignment.events ?? []).length; });
    await consumer.connect();
    await consumer.subscribe({ topics: ['events'], fromBeginning: true });
    await consumer.run({ eachMessage: async () => undefined });
    await eventually(() => assigned === 4, 20_000, 'kafkajs member stable');
    try {
      const { stdout } = await run(PYTHON, ['-c', KAFKA_PYTHON_JOINER, broker.bootstrap, 'events', 'mixed'], { timeout: 30_000 });
      expect(stdout.trim()).to.equal('InconsistentGroupProtocolError');
      expect(assigned).to.equal(4);
    } finally {
      await consumer.disconnect();
    }
  });

  it('removes a member that stops heartbeating and reassigns its partitions within the session timeout plus one rebalance', async () => {
    const sessionTimeoutMs = 6000;
    const observer = kafka.consumer({ groupId: 'frozen', sessionTimeout: 30_000, heartbeatInterval: 500, rebalanceTimeout: 10_000, maxWaitTimeInMs: 200 });
    let observed: number[] = [];
    observer.on(observer.events.GROUP_JOIN, (e) => { observed = [...(e.payload.memberAssignment.events ?? [])]; });
    await observer.connect();
    await observer.subscribe({ topics: ['events'], fromBeginning: true });
    await observer.run({ eachMessage: async () => undefined });
    const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'groups-consumer-child.ts'), broker.bootstrap, 'frozen', 'events', String(sessionTimeoutMs)],
      { stdio: ['ignore', 'pipe', 'inherit'] });
    let childAssigned: number[] = [];
    child.stdout.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString().trim().split('\n')) childAssigned = JSON.parse(line).assigned;
    });
    try {
      await eventually(() => childAssigned.length > 0 && observed.length > 0 && childAssigned.length + observed.length === 4, 30_000, 'group split between the two');
      child.kill('SIGSTOP');
      // Session timeout, then one rebalance: the observer learns of it at its next heartbeat and rejoins.
      await eventually(() => observed.length === 4, sessionTimeoutMs + 10_000, 'the frozen member is expired and the observer gets every partition');
    } finally {
      child.kill('SIGKILL');
      await observer.disconnect();
    }
  });
});

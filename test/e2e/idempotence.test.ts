import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Kafka } from 'kafkajs';
import { eventually, InProcessBroker, kafkaClient, removeDir, startGroupsBroker, tempDataDir } from './groups-harness';
import { idempotentBatch, RawKafka } from './idempotence-raw';

const run = promisify(execFile);

const CONFLUENT_PRODUCER = `
import json, sys
from confluent_kafka import Producer
bootstrap, topic, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
errors = []
def on_delivery(err, msg):
    if err is not None:
        errors.append(str(err))
p = Producer({'bootstrap.servers': bootstrap, 'enable.idempotence': True, 'linger.ms': 5})
for i in range(count):
    while True:
        try:
            p.produce(topic, key=str(i).encode(), value=str(i).encode(), on_delivery=on_delivery)
            break
        except BufferError:
            p.poll(0.1)
    p.poll(0)
remaining = p.flush(30)
print(json.dumps({"errors": errors[:5], "errorCount": len(errors), "remaining": remaining}))
`;

async function highWatermarks(kafka: Kafka, topic: string): Promise<number[]> {
  const admin = kafka.admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  return offsets.sort((a, b) => a.partition - b.partition).map((o) => Number(o.high));
}

describe('Idempotent producers (e2e)', function () {
  this.timeout(60_000);
  let dataDir: string;
  let broker: InProcessBroker;
  let kafka: Kafka;

  beforeEach(async () => {
    dataDir = tempDataDir('idempotence');
    broker = await startGroupsBroker(dataDir);
    kafka = kafkaClient(broker.bootstrap);
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'idem', numPartitions: 3 }] });
    await admin.disconnect();
  });

  afterEach(async () => {
    await broker.close();
    removeDir(dataDir);
  });

  it('delivers 10,000 messages from confluent-kafka with enable.idempotence exactly once, offsets increasing', async () => {
    const { stdout } = await run('/usr/bin/python3', ['-c', CONFLUENT_PRODUCER, broker.bootstrap, 'idem', '10000'], { timeout: 50_000 });
    const result = JSON.parse(stdout.trim().split('\n').pop() as string);
    expect(result).to.deep.equal({ errors: [], errorCount: 0, remaining: 0 });
    expect((await highWatermarks(kafka, 'idem')).reduce((a, b) => a + b, 0)).to.equal(10_000);
    const consumer = kafka.consumer({ groupId: 'idem-check', maxWaitTimeInMs: 200 });
    const values = new Map<string, number>();
    const lastOffset = new Map<number, number>();
    let increasing = true;
    await consumer.connect();
    await consumer.subscribe({ topics: ['idem'], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        const offset = Number(message.offset);
        if (offset !== (lastOffset.get(partition) ?? -1) + 1) increasing = false;
        lastOffset.set(partition, offset);
        const value = message.value?.toString() ?? '';
        values.set(value, (values.get(value) ?? 0) + 1);
      },
    });
    await eventually(() => values.size === 10_000, 40_000, 'all 10,000 values consumed');
    await consumer.disconnect();
    expect([...values.values()].every((n) => n === 1)).to.equal(true);
    expect(increasing).to.equal(true);
  });

  it('accepts a kafkajs idempotent producer (InitProducerId at the controller, sequences per partition)', async () => {
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    for (let i = 0; i < 10; i++) {
      await producer.send({ topic: 'idem', acks: -1, messages: Array.from({ length: 100 }, (_, j) => ({ key: `k${i * 100 + j}`, value: `v${i * 100 + j}` })) });
    }
    await producer.disconnect();
    expect((await highWatermarks(kafka, 'idem')).reduce((a, b) => a + b, 0)).to.equal(1000);
  });

  it('answers a replayed duplicate batch with its original offset and does not append it twice, also after a restart', async () => {
    const raw = await RawKafka.connect(broker.port);
    const { errorCode, producerId, epoch } = await raw.initProducerId();
    expect(errorCode).to.equal(0);
    const first = idempotentBatch(producerId, epoch, 0, 'one');
    const second = idempotentBatch(producerId, epoch, 1, 'two');
    expect(await raw.produce('idem', 0, first)).to.deep.equal({ errorCode: 0, baseOffset: 0n });
    expect(await raw.produce('idem', 0, second)).to.deep.equal({ errorCode: 0, baseOffset: 1n });
    expect(await raw.produce('idem', 0, Buffer.from(first))).to.deep.equal({ errorCode: 0, baseOffset: 0n });
    expect((await raw.produce('idem', 0, idempotentBatch(producerId, epoch, 5, 'gap'))).errorCode).to.equal(45);
    expect((await raw.produce('idem', 0, idempotentBatch(producerId, epoch - 1, 2, 'old'))).errorCode).to.equal(47);
    expect((await raw.produce('idem', 0, idempotentBatch(producerId + 1000n, 0, 3, 'stranger'))).errorCode).to.equal(59);
    raw.close();
    expect((await highWatermarks(kafka, 'idem'))[0]).to.equal(2);

    await broker.close();
    broker = await startGroupsBroker(dataDir, broker.port);
    const again = await RawKafka.connect(broker.port);
    expect(await again.produce('idem', 0, Buffer.from(second))).to.deep.equal({ errorCode: 0, baseOffset: 1n });
    expect(await again.produce('idem', 0, idempotentBatch(producerId, epoch, 2, 'three'))).to.deep.equal({ errorCode: 0, baseOffset: 2n });
    // librdkafka bumps the epoch itself after an error and restarts at sequence 0.
    expect(await again.produce('idem', 0, idempotentBatch(producerId, epoch + 1, 0, 'bumped'))).to.deep.equal({ errorCode: 0, baseOffset: 3n });
    again.close();
    expect((await highWatermarks(kafka, 'idem'))[0]).to.equal(4);
  });

  it('hands out producer ids that never repeat across broker restarts', async () => {
    const ids = new Set<bigint>();
    for (let restart = 0; restart < 2; restart++) {
      const raw = await RawKafka.connect(broker.port);
      for (let i = 0; i < 3; i++) ids.add((await raw.initProducerId()).producerId);
      raw.close();
      await broker.close();
      broker = await startGroupsBroker(dataDir, broker.port);
    }
    expect(ids.size).to.equal(6);
  });
});

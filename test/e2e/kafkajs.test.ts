import { expect } from 'chai';
import { Admin, Kafka, logLevel, Producer } from 'kafkajs';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { BrokerFixture, startTestBroker } from './support/broker-fixture';

describe('kafkajs end to end', function () {
  this.timeout(60_000);
  let fixture: BrokerFixture;
  let kafka: Kafka;
  let admin: Admin;
  let producer: Producer;

  before(async () => {
    fixture = await startTestBroker({ 'topics.autoCreate': 'false' });
    kafka = new Kafka({ clientId: 'e2e', brokers: [fixture.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 2 } });
    admin = kafka.admin();
    producer = kafka.producer({ allowAutoTopicCreation: false });
    await admin.connect();
    await producer.connect();
  });

  after(async () => {
    await producer?.disconnect();
    await admin?.disconnect();
    await fixture?.stop();
  });

  it('creates topics, lists them and describes their partitions', async () => {
    expect(await admin.createTopics({ topics: [{ topic: 'js-orders', numPartitions: 3 }, { topic: 'js-audit' }] })).to.equal(true);
    expect(await admin.listTopics()).to.include.members(['js-orders', 'js-audit']);
    const { topics } = await admin.fetchTopicMetadata({ topics: ['js-orders'] });
    expect(topics[0].partitions.map((p) => p.partitionId).sort()).to.deep.equal([0, 1, 2]);
    expect(topics[0].partitions.every((p) => p.leader === 0)).to.equal(true);
  });

  it('reports an existing topic instead of creating it twice', async () => {
    expect(await admin.createTopics({ topics: [{ topic: 'js-audit' }] })).to.equal(false);
  });

  it('produces with acks=all to every partition and reads the offsets back', async () => {
    const messages = [...Array(30).keys()].map((i) => ({ key: `k${i}`, value: `v${i}`, partition: i % 3 }));
    const results = await producer.send({ topic: 'js-orders', acks: -1, messages });
    expect(results.map((r) => r.errorCode)).to.deep.equal([0, 0, 0]);
    await producer.send({ topic: 'js-orders', acks: 1, messages: [{ value: 'one more', partition: 0 }] });
    const offsets = await admin.fetchTopicOffsets('js-orders');
    const byPartition = Object.fromEntries(offsets.map((o) => [o.partition, [o.low, o.high]]));
    expect(byPartition).to.deep.equal({ 0: ['0', '11'], 1: ['0', '10'], 2: ['0', '10'] });
  });

  it('rejects a produce to a topic that does not exist (auto-creation off)', async () => {
    const failing = producer.send({ topic: 'js-missing', messages: [{ value: 'x' }] });
    let error: Error | null = null;
    await failing.catch((err: Error) => {
      error = err;
    });
    expect(error).to.not.equal(null);
  });

  it('describes a topic\'s configs, its own and the broker defaults', async () => {
    await admin.createTopics({ topics: [{ topic: 'js-configs', configEntries: [{ name: 'retention.ms', value: '60000' }] }] });
    const { resources } = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: 2, name: 'js-configs' }] });
    const entries = Object.fromEntries(resources[0].configEntries.map((e) => [e.configName, [e.configValue, e.isDefault]]));
    expect(entries['retention.ms']).to.deep.equal(['60000', false]);
    expect(entries['flush.policy']).to.deep.equal(['interval', true]);
    expect(entries).to.include.keys('retention.bytes', 'segment.bytes', 'segment.ms', 'max.message.bytes', 'message.timestamp.type');
  });

  it('alters a topic\'s configs (AlterConfigs), and its open partitions take them at once', async () => {
    await admin.createTopics({ topics: [{ topic: 'js-alter' }] });
    await producer.send({ topic: 'js-alter', acks: -1, messages: [{ value: 'x'.repeat(3000) }] });
    await admin.alterConfigs({ validateOnly: false, resources: [{ type: 2, name: 'js-alter', configEntries: [
      { name: 'max.message.bytes', value: '2000' }, { name: 'segment.bytes', value: '1024' },
    ] }] });
    const { resources } = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: 2, name: 'js-alter' }] });
    const entries = Object.fromEntries(resources[0].configEntries.map((e) => [e.configName, [e.configValue, e.isDefault]]));
    expect(entries['max.message.bytes']).to.deep.equal(['2000', false]);
    expect(entries['segment.bytes']).to.deep.equal(['1024', false]);
    const tooBig = await producer.send({ topic: 'js-alter', acks: -1, messages: [{ value: 'x'.repeat(3000) }] }).then(() => null, (err: { type?: string; cause?: { type?: string } }) => err.type ?? err.cause?.type ?? String(err));
    expect(tooBig).to.equal('MESSAGE_TOO_LARGE');
    // segment.bytes 1024: the WAL rolls a segment for each of these batches.
    for (let i = 0; i < 4; i++) await producer.send({ topic: 'js-alter', acks: -1, messages: [{ value: 'y'.repeat(1500) }] });
    const segments = readdirSync(join(fixture.dataDir, 'logs', 'js-alter-0')).filter((f) => f.endsWith('.log'));
    expect(segments.length, segments.join(' ')).to.be.at.least(4);
  });

  it('deletes a topic', async () => {
    await admin.deleteTopics({ topics: ['js-audit'] });
    expect(await admin.listTopics()).to.not.include('js-audit');
  });

  it('rejects an invalid topic name with a clear error', async () => {
    let error: { errors?: Array<{ type: string }> } | null = null;
    await admin.createTopics({ topics: [{ topic: 'bad name!' }] }).catch((err: { errors?: Array<{ type: string }> }) => {
      error = err;
    });
    expect(error!.errors?.map((e) => e.type)).to.deep.equal(['INVALID_TOPIC_EXCEPTION']);
  });
});

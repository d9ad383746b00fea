import { expect } from 'chai';
import { metadataHandler } from '../../../../src/broker/kafka/handlers/metadata';
import { ctx, testServices, TestServices } from '../../support/test-services';

describe('Metadata handler', () => {
  let t: TestServices;

  afterEach(() => t.stop());

  it('lists this broker as the only broker, the controller and every partition leader', async () => {
    t = await testServices();
    await t.services.topics.create({ name: 'orders', partitions: 2 });
    const res = await metadataHandler(t.services).handle({ topics: null }, ctx(3, 4));
    expect(res.brokers).to.deep.equal([{ nodeId: 0, host: '127.0.0.1', port: 9092, rack: null }]);
    expect(res.controllerId).to.equal(0);
    expect(res.clusterId).to.equal('test-cluster');
    expect(res.topics).to.have.length(1);
    expect(res.topics[0].partitions.map((p: { leaderId: number; errorCode: number }) => [p.leaderId, p.errorCode])).to.deep.equal([[0, 0], [0, 0]]);
  });

  it('reads an empty v0 topic list as "every topic" and an empty v1+ list as "none"', async () => {
    t = await testServices();
    await t.services.topics.create({ name: 'a', partitions: 1 });
    const handler = metadataHandler(t.services);
    expect((await handler.handle({ topics: [] }, ctx(3, 0))).topics).to.have.length(1);
    expect((await handler.handle({ topics: [] }, ctx(3, 1))).topics).to.have.length(0);
  });

  it('creates an unknown topic when the request and the broker allow it', async () => {
    t = await testServices({ 'topics.defaultPartitions': '3' });
    const res = await metadataHandler(t.services).handle({ topics: [{ name: 'fresh' }], allowAutoTopicCreation: true }, ctx(3, 4));
    expect(res.topics[0].errorCode).to.equal(0);
    expect(res.topics[0].partitions).to.have.length(3);
    expect(t.services.topics.get('fresh')?.partitions).to.equal(3);
  });

  it('answers UNKNOWN_TOPIC_OR_PARTITION when the request forbids auto-creation', async () => {
    t = await testServices();
    const res = await metadataHandler(t.services).handle({ topics: [{ name: 'fresh' }], allowAutoTopicCreation: false }, ctx(3, 4));
    expect(res.topics[0].errorCode).to.equal(3);
    expect(t.services.topics.get('fresh')).to.equal(undefined);
  });

  it('answers UNKNOWN_TOPIC_OR_PARTITION when the broker forbids auto-creation, even for v0-v3 requests', async () => {
    t = await testServices({ 'topics.autoCreate': 'false' });
    const res = await metadataHandler(t.services).handle({ topics: [{ name: 'fresh' }] }, ctx(3, 1));
    expect(res.topics[0].errorCode).to.equal(3);
  });

  it('answers INVALID_TOPIC_EXCEPTION for a name that cannot be created', async () => {
    t = await testServices();
    const res = await metadataHandler(t.services).handle({ topics: [{ name: 'no spaces' }], allowAutoTopicCreation: true }, ctx(3, 4));
    expect(res.topics[0].errorCode).to.equal(17);
  });

  it('finds a topic by id (v10+) and reports an unknown id', async () => {
    t = await testServices();
    const record = await t.services.topics.create({ name: 'by-id', partitions: 1 });
    const res = await metadataHandler(t.services).handle({ topics: [{ name: null, topicId: record.topicId }, { name: null, topicId: 'ffffffff-0000-0000-0000-000000000000' }] }, ctx(3, 12));
    expect(res.topics[0].name).to.equal('by-id');
    expect(res.topics[1].errorCode).to.equal(100);
  });

  it('reports every topic and cluster operation when the request asks (no authorizer, KIP-430), and INT32_MIN otherwise', async () => {
    t = await testServices();
    await t.services.topics.create({ name: 'ops', partitions: 1 });
    const handler = metadataHandler(t.services);
    const asked = await handler.handle({ topics: null, includeClusterAuthorizedOperations: true, includeTopicAuthorizedOperations: true }, ctx(3, 8));
    // READ, WRITE, CREATE, DELETE, ALTER, DESCRIBE, DESCRIBE_CONFIGS, ALTER_CONFIGS: bits 3-8, 10, 11.
    expect(asked.topics[0].topicAuthorizedOperations).to.equal(0b110111111000);
    expect(asked.clusterAuthorizedOperations).to.equal(0b1111110100000);
    const plain = await handler.handle({ topics: null }, ctx(3, 8));
    expect([plain.topics[0].topicAuthorizedOperations, plain.clusterAuthorizedOperations]).to.deep.equal([-2147483648, -2147483648]);
  });
});

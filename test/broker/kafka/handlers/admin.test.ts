import { expect } from 'chai';
import { createPartitionsHandler } from '../../../../src/broker/kafka/handlers/create-partitions';
import { createTopicsHandler } from '../../../../src/broker/kafka/handlers/create-topics';
import { deleteTopicsHandler } from '../../../../src/broker/kafka/handlers/delete-topics';
import { OPERATIONS_NOT_REQUESTED } from '../../../../src/broker/kafka/authorized-operations';
import { describeClusterHandler } from '../../../../src/broker/kafka/handlers/describe-cluster';
import { describeConfigsHandler } from '../../../../src/broker/kafka/handlers/describe-configs';
import { decodeResponse, encodeResponse } from '../../../../src/protocol/kafka/frames';
import { DescribeCluster } from '../../../../src/protocol/kafka/messages';
import { ctx, testServices, TestServices } from '../../support/test-services';

function creatable(name: string, numPartitions = -1, configs: Array<{ name: string; value: string | null }> = [], replicationFactor = -1) {
  return { name, numPartitions, replicationFactor, assignments: [], configs };
}

describe('Admin handlers', () => {
  let t: TestServices;

  beforeEach(async () => {
    t = await testServices();
  });

  afterEach(() => t.stop());

  it('creates topics, each failing on its own', async () => {
    const res = await createTopicsHandler(t.services).handle({
      timeoutMs: 1000,
      topics: [
        creatable('ok', 3, [{ name: 'retention.ms', value: '1000' }]),
        creatable('bad name'),
        creatable('bad-config', 1, [{ name: 'flush.policy', value: 'sometimes' }]),
        creatable('three-replicas', 1, [], 3),
        creatable('dup'), creatable('dup'),
      ],
    }, ctx(19, 7));
    const codes = res.topics.map((r: { name: string; errorCode: number }) => [r.name, r.errorCode]);
    expect(codes).to.deep.equal([['ok', 0], ['bad name', 17], ['bad-config', 40], ['three-replicas', 38], ['dup', 42], ['dup', 42]]);
    expect(res.topics[0].numPartitions).to.equal(3);
    expect(res.topics[0].configs.find((c: { name: string }) => c.name === 'retention.ms').value).to.equal('1000');
    expect(res.topics[2].errorMessage).to.match(/flush\.policy/);
    expect(t.services.topics.list().map((r) => r.name)).to.deep.equal(['ok']);
  });

  it('answers TOPIC_ALREADY_EXISTS for an existing topic and creates nothing when validating only', async () => {
    await t.services.topics.create({ name: 'there', partitions: 1 });
    const res = await createTopicsHandler(t.services).handle({ timeoutMs: 1000, validateOnly: true, topics: [creatable('there'), creatable('dry')] }, ctx(19, 3));
    expect(res.topics.map((r: { errorCode: number }) => r.errorCode)).to.deep.equal([36, 0]);
    expect(t.services.topics.get('dry')).to.equal(undefined);
  });

  it('deletes topics by name (v1) and by id (v6) and removes their data', async () => {
    await t.services.topics.create({ name: 'a', partitions: 2 });
    const b = await t.services.topics.create({ name: 'b', partitions: 1 });
    const handler = deleteTopicsHandler(t.services);
    const v1 = await handler.handle({ timeoutMs: 1000, topicNames: ['a', 'nope'] }, ctx(20, 1));
    expect(v1.responses.map((r: { errorCode: number }) => r.errorCode)).to.deep.equal([0, 3]);
    const v6 = await handler.handle({ timeoutMs: 1000, topics: [{ name: null, topicId: b.topicId }] }, ctx(20, 6));
    expect(v6.responses[0]).to.include({ name: 'b', errorCode: 0 });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(t.removed.sort()).to.deep.equal(['a-0', 'a-1', 'b-0']);
  });

  it('grows a topic and refuses to shrink it', async () => {
    await t.services.topics.create({ name: 'g', partitions: 2 });
    const handler = createPartitionsHandler(t.services);
    const res = await handler.handle({ timeoutMs: 1000, validateOnly: false, topics: [{ name: 'g', count: 4, assignments: null }, { name: 'g2', count: 4, assignments: null }] }, ctx(37, 3));
    expect(res.results.map((r: { errorCode: number }) => r.errorCode)).to.deep.equal([0, 3]);
    const shrink = await handler.handle({ timeoutMs: 1000, validateOnly: false, topics: [{ name: 'g', count: 1, assignments: null }] }, ctx(37, 3));
    expect(shrink.results[0].errorCode).to.equal(37);
  });

  it('answers INVALID_REQUEST for a topic named twice in DeleteTopics or CreatePartitions and acts on neither entry', async () => {
    await t.services.topics.create({ name: 'twice', partitions: 1 });
    const grow = await createPartitionsHandler(t.services).handle({
      timeoutMs: 1000, validateOnly: false, topics: [{ name: 'twice', count: 2, assignments: null }, { name: 'twice', count: 3, assignments: null }],
    }, ctx(37, 3));
    expect(grow.results.map((r: { errorCode: number }) => r.errorCode)).to.deep.equal([42, 42]);
    const removed = await deleteTopicsHandler(t.services).handle({ timeoutMs: 1000, topicNames: ['twice', 'twice'] }, ctx(20, 1));
    expect(removed.responses.map((r: { errorCode: number }) => r.errorCode)).to.deep.equal([42, 42]);
    expect(t.services.topics.get('twice')?.partitions).to.equal(1);
  });

  it('describes topic configs with their values and sources, filtered by key', async () => {
    await t.services.topics.create({ name: 'c', partitions: 1, configs: { 'message.timestamp.type': 'LogAppendTime' } });
    const res = await describeConfigsHandler(t.services).handle({
      resources: [
        { resourceType: 2, resourceName: 'c', configurationKeys: null },
        { resourceType: 2, resourceName: 'c', configurationKeys: ['retention.ms'] },
        { resourceType: 2, resourceName: 'missing', configurationKeys: null },
      ],
    }, ctx(32, 4));
    const all = res.results[0].configs;
    const names = all.map((c: { name: string }) => c.name);
    expect(names).to.include.members(['retention.ms', 'retention.bytes', 'segment.bytes', 'segment.ms', 'max.message.bytes', 'message.timestamp.type', 'flush.policy']);
    expect(all.find((c: { name: string }) => c.name === 'message.timestamp.type')).to.include({ value: 'LogAppendTime', configSource: 1 });
    expect(all.find((c: { name: string }) => c.name === 'flush.policy')).to.include({ value: 'interval', configSource: 5 });
    expect(res.results[1].configs).to.have.length(1);
    expect(res.results[2].errorCode).to.equal(3);
  });

  it('describes the cluster (DescribeCluster v0 and v1): its id, this broker as controller and only broker, the endpoint type asked for', async () => {
    const handler = describeClusterHandler(t.services);
    expect([handler.minVersion, handler.maxVersion]).to.deep.equal([0, 1]);
    for (const version of [0, 1]) {
      const res = await handler.handle({ includeClusterAuthorizedOperations: false, endpointType: 1 }, ctx(60, version));
      const frame = Buffer.concat(encodeResponse(DescribeCluster, version, 9, res)).subarray(4);
      const { correlationId, body } = decodeResponse(DescribeCluster, version, frame);
      expect(correlationId).to.equal(9);
      expect(body).to.deep.include({ errorCode: 0, errorMessage: null, clusterId: 'test-cluster', controllerId: 0, clusterAuthorizedOperations: OPERATIONS_NOT_REQUESTED });
      expect(body.brokers).to.deep.equal([{ brokerId: 0, host: '127.0.0.1', port: 9092, rack: null }]);
      expect(body.endpointType).to.equal(1);
    }
  });

  it('answers DescribeCluster with every cluster operation when asked (no authorizer, KIP-430) and refuses an unknown endpoint type', async () => {
    const handler = describeClusterHandler(t.services);
    const asked = await handler.handle({ includeClusterAuthorizedOperations: true, endpointType: 2 }, ctx(60, 1));
    // CREATE, ALTER, DESCRIBE, CLUSTER_ACTION, DESCRIBE_CONFIGS, ALTER_CONFIGS, IDEMPOTENT_WRITE: bits 5, 7-12.
    expect(asked).to.deep.include({ errorCode: 0, endpointType: 2, clusterAuthorizedOperations: 0b1111110100000 });
    const unknown = await handler.handle({ includeClusterAuthorizedOperations: false, endpointType: 3 }, ctx(60, 1));
    expect(unknown).to.deep.include({ errorCode: 115, errorMessage: 'unsupported endpoint type 3', brokers: [] });
  });

  it('describes this broker\'s static configs under Kafka\'s names, read-only, and refuses another broker id', async () => {
    const res = await describeConfigsHandler(t.services).handle({
      resources: [
        { resourceType: 4, resourceName: '0', configurationKeys: null },
        { resourceType: 4, resourceName: '', configurationKeys: ['message.max.bytes'] },
        { resourceType: 4, resourceName: '7', configurationKeys: null },
      ],
    }, ctx(32, 4));
    const byName = Object.fromEntries(res.results[0].configs.map((c: { name: string; value: string; readOnly: boolean; configSource: number }) => [c.name, [c.value, c.readOnly, c.configSource]]));
    expect(byName['broker.id']).to.deep.equal(['0', true, 4]);
    expect(byName['default.replication.factor']).to.deep.equal(['1', true, 4]);
    expect(byName).to.include.keys('auto.create.topics.enable', 'num.partitions', 'log.retention.ms', 'log.segment.bytes', 'message.max.bytes', 'socket.request.max.bytes');
    expect(res.results[1].configs.map((c: { name: string }) => c.name)).to.deep.equal(['message.max.bytes']);
    expect(res.results[2]).to.deep.include({ errorCode: 42, configs: [] });
  });
});

import { expect } from 'chai';
import type { BrokerNode, ClusterView } from '../../../src/broker/cluster/cluster-view';
import { createPartitionsHandler } from '../../../src/broker/kafka/handlers/create-partitions';
import { createTopicsHandler } from '../../../src/broker/kafka/handlers/create-topics';
import { deleteTopicsHandler } from '../../../src/broker/kafka/handlers/delete-topics';
import type { BrokerServices } from '../../../src/broker/services';
import { TopicRegistry } from '../../../src/broker/topics/topic-registry';
import { CoordinationError } from '../../../src/coordination/errors';
import type { MetadataStore } from '../../../src/coordination/metadata-store';
import { ctx, testServices, TestServices } from '../support/test-services';

const NONE = 0;
const REQUEST_TIMED_OUT = 7;

/** A non-controller's view of the cluster, the controller's assignments played by the test. */
class PlayedView implements ClusterView {
  readonly clusterId = 'test-cluster';
  readonly self: BrokerNode = { nodeId: 1, host: '127.0.0.1', port: 9092, rack: null };
  readonly owners = new Map<string, number>();

  brokers(): BrokerNode[] {
    return [this.self, { ...this.self, nodeId: 2, port: 9093 }];
  }

  controllerId(): number {
    return 2;
  }

  leaderOf(topic: string, partition: number): number {
    return this.owners.get(`${topic}/${partition}`) ?? -1;
  }

  leaderEpochOf(topic: string, partition: number): number {
    return this.owners.has(`${topic}/${partition}`) ? 0 : -1;
  }

  assign(topic: string, partitions: number[], owner = 2): void {
    for (const p of partitions) this.owners.set(`${topic}/${p}`, owner);
  }

  release(topic: string, partitions: number[]): void {
    for (const p of partitions) this.owners.delete(`${topic}/${p}`);
  }
}

const creatable = (name: string, numPartitions: number) => ({ name, numPartitions, replicationFactor: -1, assignments: [], configs: [] });
const later = (ms: number, act: () => void) => new Promise<void>((resolve) => setTimeout(() => { act(); resolve(); }, ms));

describe('Topic admin on a broker that is not the controller', () => {
  let t: TestServices;
  let view: PlayedView;
  let services: BrokerServices;

  beforeEach(async () => {
    t = await testServices({ 'metadata.store': 'etcd' });
    view = new PlayedView();
    services = { ...t.services, cluster: view };
  });

  afterEach(() => t.stop());

  it('answers CreateTopics only once the controller has given every partition a live leader', async () => {
    const answering = createTopicsHandler(services).handle({ topics: [creatable('waits', 3)], timeoutMs: 5000, validateOnly: false }, ctx(19, 7));
    let assignedAtMs = 0;
    await later(50, () => view.assign('waits', [0, 1]));
    await later(50, () => { view.assign('waits', [2]); assignedAtMs = Date.now(); });
    const res = await answering;
    expect(Date.now()).to.be.at.least(assignedAtMs);
    expect(res.topics[0]).to.include({ name: 'waits', errorCode: NONE, numPartitions: 3 });
  });

  it('answers REQUEST_TIMED_OUT past timeoutMs, keeping the topic for the controller to assign', async () => {
    view.assign('slow', [0]);
    const res = await createTopicsHandler(services).handle({ topics: [creatable('slow', 2), creatable('also', 1)], timeoutMs: 100, validateOnly: false }, ctx(19, 7));
    expect(res.topics.map((r: { errorCode: number }) => r.errorCode)).to.deep.equal([REQUEST_TIMED_OUT, REQUEST_TIMED_OUT]);
    expect(res.topics[0].errorMessage).to.match(/slow/);
    expect(services.topics.get('slow')?.partitions).to.equal(2);
  });

  it('does not wait when timeoutMs is 0 or when only validating, as Kafka', async () => {
    const quick = await createTopicsHandler(services).handle({ topics: [creatable('no-wait', 1)], timeoutMs: 0, validateOnly: false }, ctx(19, 7));
    const dry = await createTopicsHandler(services).handle({ topics: [creatable('dry', 1)], timeoutMs: 60_000, validateOnly: true }, ctx(19, 7));
    expect([quick.topics[0].errorCode, dry.topics[0].errorCode]).to.deep.equal([NONE, NONE]);
    expect(services.topics.get('dry')).to.equal(undefined);
  });

  it('waits for the new partitions of CreatePartitions only', async () => {
    await services.topics.create({ name: 'grows', partitions: 2 });
    view.assign('grows', [0, 1]);
    const grow = (count: number, timeoutMs: number) =>
      createPartitionsHandler(services).handle({ topics: [{ name: 'grows', count, assignments: null }], timeoutMs, validateOnly: false }, ctx(37, 3));
    expect((await grow(3, 100)).results[0].errorCode).to.equal(REQUEST_TIMED_OUT);
    const answering = grow(4, 5000);
    await later(50, () => view.assign('grows', [2, 3]));
    expect((await answering).results[0]).to.include({ name: 'grows', errorCode: NONE });
  });

  it('answers DeleteTopics once the controller has removed the topic\'s assignments', async () => {
    await services.topics.create({ name: 'goes', partitions: 2 });
    view.assign('goes', [0, 1]);
    const remove = (timeoutMs: number) => deleteTopicsHandler(services).handle({ topicNames: ['goes'], timeoutMs }, ctx(20, 4));
    const timedOut = await remove(100);
    expect(timedOut.responses[0]).to.include({ name: 'goes', errorCode: REQUEST_TIMED_OUT });
    expect(services.topics.get('goes')).to.equal(undefined);

    await services.topics.create({ name: 'goes', partitions: 2 });
    const answering = remove(5000);
    await later(50, () => view.release('goes', [0, 1]));
    expect((await answering).responses[0]).to.include({ name: 'goes', errorCode: NONE });
  });

  it('answers REQUEST_TIMED_OUT when the metadata store does not answer, as Kafka after a controller timeout', async () => {
    const unreachable: MetadataStore = Object.create(t.services.store, {
      txn: { value: async () => { throw new CoordinationError('STORE_UNAVAILABLE', 'no etcd endpoint answered'); } },
    });
    const topics = await TopicRegistry.open(unreachable, t.services.keys);
    try {
      const res = await createTopicsHandler({ ...services, topics }).handle({ topics: [creatable('unsure', 1)], timeoutMs: 1000, validateOnly: false }, ctx(19, 7));
      expect(res.topics[0]).to.include({ errorCode: REQUEST_TIMED_OUT });
      expect(res.topics[0].errorMessage).to.match(/metadata store/);
    } finally {
      await topics.close();
    }
  });
});

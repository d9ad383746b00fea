import { expect } from 'chai';
import { ConfigResourceTypes, Kafka, logLevel } from 'kafkajs';
import { connect } from '../../src/client';
import { BrokerFixture, startTestBroker } from '../e2e/support/broker-fixture';
import { CliResult, runCli } from './support/cli-process';

describe('tributary admin over the native protocol (the real CLI against a real broker)', function () {
  this.timeout(60_000);
  let fixture: BrokerFixture;

  before(async () => {
    fixture = await startTestBroker({ 'log.level': 'silent' });
  });
  after(() => fixture.stop());

  /** A topic config as a Kafka client sees it (DescribeConfigs). */
  async function kafkaConfig(topic: string, name: string): Promise<string | undefined> {
    const kafkaAdmin = new Kafka({ clientId: 'admin-test', brokers: [fixture.bootstrap], logLevel: logLevel.NOTHING }).admin();
    await kafkaAdmin.connect();
    try {
      const { resources } = await kafkaAdmin.describeConfigs({ resources: [{ type: ConfigResourceTypes.TOPIC, name: topic }], includeSynonyms: false });
      return resources[0].configEntries.find((e) => e.configName === name)?.configValue;
    } finally {
      await kafkaAdmin.disconnect();
    }
  }

  async function admin(...args: string[]): Promise<CliResult> {
    return runCli(['admin', '--bootstrap', fixture.bootstrap, ...args]);
  }

  /** Runs an admin command that must succeed and returns its JSON answer. */
  async function adminJson(...args: string[]): Promise<Record<string, unknown>> {
    const result = await admin(...args);
    expect(result.code, result.stderr).to.equal(0);
    return JSON.parse(result.stdout) as Record<string, unknown>;
  }

  it('topics create, list, describe and delete', async () => {
    expect(await adminJson('topics', 'create', '/default/orders', '--partitions', '3', '--schema', 'string')).to.deep.equal({ topic: '/default/orders' });
    const listed = (await adminJson('topics', 'list')).topics as Array<Record<string, unknown>>;
    expect(listed).to.deep.include({ name: '/default/orders', kafkaName: 'orders', partitions: 3 });
    const described = await adminJson('topics', 'describe', 'orders');
    expect(described).to.include({ name: '/default/orders', kafkaName: 'orders', partitions: 3, reliable: true });
    expect(described.schema).to.include({ type: 'string' });
    expect(described.highWatermarks).to.deep.equal(['0', '0', '0']);
    expect(await adminJson('topics', 'delete', '/default/orders')).to.deep.equal({});
    expect(((await adminJson('topics', 'list')).topics as Array<{ name: string }>).map((t) => t.name)).not.to.include('/default/orders');
    const gone = await admin('topics', 'describe', 'orders');
    expect(gone.code).to.equal(1);
    expect(gone.stderr).to.match(/^tributary: .*orders/m);
  });

  it('topics create with a JSON schema and --non-reliable, then a second create of the same topic is refused', async () => {
    const schema = '{"type":"object","required":["id"]}';
    await adminJson('topics', 'create', 'events', '--schema', 'json', '--json-schema', schema, '--non-reliable');
    const described = await adminJson('topics', 'describe', 'events');
    expect(described).to.include({ reliable: false });
    expect(described.schema).to.deep.equal({ type: 'json', definition: schema });
    const again = await admin('topics', 'create', 'events');
    expect(again.code).to.equal(1);
    expect(again.stderr).to.match(/^tributary: .*(exist)/m);
  });

  it('namespaces create with policies, list, set-policies (retention applied to topics created afterwards), and delete only once empty', async () => {
    await adminJson('namespaces', 'create', 'payments', '--max-producers', '1', '--max-message-bytes', '1000');
    const policiesOf = async () => {
      const { namespaces } = (await adminJson('namespaces', 'list')) as { namespaces: Array<{ name: string; policies: unknown }> };
      return namespaces.find((n) => n.name === 'payments')?.policies;
    };
    expect(await policiesOf()).to.deep.equal({ maxProducersPerTopic: 1, maxMessageBytes: 1000 });
    await adminJson('namespaces', 'set-policies', 'payments', '--max-consumers', '2', '--retention-ms', '60000');
    expect(await policiesOf()).to.deep.equal({ maxConsumersPerTopic: 2, retentionMs: 60000 });
    await adminJson('topics', 'create', '/payments/orders');
    expect(await kafkaConfig('payments.orders', 'retention.ms')).to.equal('60000');
    expect(((await adminJson('topics', 'list', '--namespace', 'payments')).topics as Array<Record<string, unknown>>))
      .to.deep.equal([{ name: '/payments/orders', kafkaName: 'payments.orders', partitions: 1 }]);
    const busy = await admin('namespaces', 'delete', 'payments');
    expect(busy.code).to.equal(1);
    expect(busy.stderr).to.match(/^tributary: .*payments/m);
    await adminJson('topics', 'delete', '/payments/orders');
    await adminJson('namespaces', 'delete', 'payments');
    expect(await policiesOf()).to.equal(undefined);
  });

  it('subscriptions list and delete', async () => {
    const client = await connect({ bootstrap: fixture.bootstrap });
    try {
      const producer = await client.producer({ topic: 'audited' });
      const consumer = await client.subscribe({ topic: 'audited', subscription: 'audit', type: 'shared', initialPosition: 'earliest' });
      await Promise.all([producer.send('a'), producer.send('b')]);
      const listed = (await adminJson('subscriptions', 'list', 'audited')).subscriptions as Array<Record<string, unknown>>;
      expect(listed).to.have.length(1);
      expect(listed[0]).to.include({ name: 'audit', type: 'shared' });
      expect(listed[0].consumers).to.have.length(1);
      await consumer.close();
      expect(await adminJson('subscriptions', 'delete', 'audited', 'audit')).to.deep.equal({});
      expect(await adminJson('subscriptions', 'list', 'audited')).to.deep.equal({ subscriptions: [] });
    } finally {
      await client.close();
    }
  });

  it('brokers list names this broker and its address', async () => {
    const { brokers } = (await adminJson('brokers', 'list')) as { brokers: Array<{ id: number; address: string }> };
    expect(brokers.map((b) => b.address)).to.deep.equal([fixture.bootstrap]);
  });

  it('refuses an unknown admin command and a missing argument with a usage error (exit 2)', async () => {
    const unknown = await admin('topics', 'rename', 'x');
    expect(unknown.code).to.equal(2);
    expect(unknown.stderr).to.match(/unknown admin command "topics rename"/);
    const missing = await admin('subscriptions', 'delete', 'only-topic');
    expect(missing.code).to.equal(2);
    expect(missing.stderr).to.match(/takes 2 argument/);
  });
});

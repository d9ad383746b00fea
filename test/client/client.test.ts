import { expect } from 'chai';
import { connect, TributaryClient, TributaryError } from '../../src/client';
import { NativeHarness } from '../broker/native/support/native-harness';
import { testRecordBatchInspector } from '../broker/native/support/record-batch-inspector';
import { encodeMessageBatch as encodeRecordBatch } from '../../src/protocol/native/message-batch';

describe('Native client against a broker', () => {
  let broker: NativeHarness;
  let client: TributaryClient;
  before(async () => {
    broker = await NativeHarness.start();
    client = await connect({ bootstrap: broker.address, clientName: 'client-test' });
  });
  after(async () => {
    await client.close();
    await broker.destroy();
  });

  it('sends messages and gets each one its offset, in order', async () => {
    const producer = await client.producer({ topic: '/default/offsets' });
    const results = await Promise.all(['a', 'b', 'c'].map((v) => producer.send(v)));
    expect(results.map((r) => r.offset)).to.deep.equal([0n, 1n, 2n]);
    expect(results.every((r) => r.partition === 0)).to.equal(true);
    await producer.close();
  });

  it('sends with SEND frames on a client pinned to protocol version 1, offsets and messages the same', async () => {
    const v1 = await connect({ bootstrap: broker.address, clientName: 'v1', protocolVersion: 1 });
    const producer = await v1.producer({ topic: '/default/offsets-v1' });
    const results = await Promise.all(['a', 'b', 'c'].map((v) => producer.send(v, { key: 'k', headers: { h: v } })));
    expect(results.map((r) => r.offset)).to.deep.equal([0n, 1n, 2n]);
    const consumer = await client.subscribe({ topic: '/default/offsets-v1', subscription: 's', type: 'exclusive', initialPosition: 'earliest' });
    const got: string[] = [];
    for await (const m of consumer) {
      got.push(`${m.offset}:${m.key?.toString()}:${m.payload.toString()}:${m.headers[0].value?.toString()}`);
      if (got.length === 3) break;
    }
    expect(got).to.deep.equal(['0:k:a:a', '1:k:b:b', '2:k:c:c']);
    await consumer.close();
    await producer.close();
    await v1.close();
  });

  it('delivers keys, headers, timestamps and payloads intact to an exclusive consumer', async () => {
    const consumer = await client.subscribe({ topic: 'intact', subscription: 'sub', type: 'exclusive', initialPosition: 'earliest' });
    const producer = await client.producer({ topic: 'intact' });
    await producer.send(Buffer.from([0, 1, 2, 255]), { key: 'k1', headers: { h: 'v', empty: null }, timestampMs: 1_700_000_000_123n });
    const m = (await consumer.receive(5000))!;
    expect(m.key!.toString()).to.equal('k1');
    expect(m.payload).to.deep.equal(Buffer.from([0, 1, 2, 255]));
    expect(m.publishTimeMs).to.equal(1_700_000_000_123n);
    expect(m.headers.map((h) => [h.key, h.value?.toString() ?? null])).to.deep.equal([['h', 'v'], ['empty', null]]);
    expect(m.redeliveryCount).to.equal(0);
    await consumer.ack(m);
    await consumer.close();
    await producer.close();
  });

  it('delivers small and large messages in order, byte for byte, across the broker push chunks', async () => {
    const consumer = await client.subscribe({ topic: 'sizes', subscription: 'sub', type: 'exclusive', initialPosition: 'earliest' });
    const producer = await client.producer({ topic: 'sizes' });
    // 64 KiB push chunks: tiny messages share one, a 200 KiB one gets its own, UTF-8 header keys are measured in bytes.
    const sizes = [10, 70_000, 3, 200_000, 65_000, 1, 64 * 1024, 0, 5];
    const payloads = sizes.map((n, i) => Buffer.alloc(n, i + 1));
    await Promise.all(payloads.map((p, i) => producer.send(p, { key: `k${i}`, headers: { 'clé-ü': `v${i}` } })));
    for (let i = 0; i < sizes.length; i++) {
      const m = (await consumer.receive(5000))!;
      expect(m.offset).to.equal(BigInt(i));
      expect(m.payload.equals(payloads[i]), `message ${i} of ${sizes[i]} bytes`).to.equal(true);
      expect(m.key!.toString()).to.equal(`k${i}`);
      expect(m.headers.map((h) => [h.key, h.value!.toString()])).to.deep.equal([['clé-ü', `v${i}`]]);
      await consumer.ack(m);
    }
    await consumer.close();
    await producer.close();
  });

  it('delivers every message before a batch that does not decompress and stops there, skipping nothing', async () => {
    const producer = await client.producer({ topic: 'undecodable' });
    await Promise.all(['a', 'b'].map((v) => producer.send(v)));
    // A batch that passes the CRC check but claims lz4 over bytes that are no LZ4 frame.
    const bad = encodeRecordBatch([{ key: null, timestampMs: 1n, headers: [], payload: Buffer.from('x') }]);
    bad.writeInt16BE(3, 21);
    testRecordBatchInspector.setLogAppendTime(bad, 2n);
    await (await broker.services.partitions.get('undecodable', 0)).append(bad);
    await producer.send('c');
    const consumer = await client.subscribe({ topic: 'undecodable', subscription: 'sub', type: 'exclusive', initialPosition: 'earliest' });
    expect((await consumer.receive(5000))!.payload.toString()).to.equal('a');
    expect((await consumer.receive(5000))!.payload.toString()).to.equal('b');
    expect(await consumer.receive(1500)).to.equal(null);
    await consumer.close();
    await producer.close();
  });

  it('refuses a second consumer on an exclusive subscription with a clear error', async () => {
    const first = await client.subscribe({ topic: 'excl', subscription: 'only', type: 'exclusive' });
    const error = await client.subscribe({ topic: 'excl', subscription: 'only', type: 'exclusive' }).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(TributaryError);
    expect((error as TributaryError).codeName).to.equal('consumerBusy');
    expect((error as Error).message).to.match(/already has consumer/);
    await first.close();
  });

  it('refuses an exclusive producer while another producer is open', async () => {
    const shared = await client.producer({ topic: 'access' });
    const error = await client.producer({ topic: 'access', accessMode: 'exclusive' }).catch((e: unknown) => e);
    expect((error as TributaryError).codeName).to.equal('producerBusy');
    await shared.close();
    const exclusive = await client.producer({ topic: 'access', accessMode: 'exclusive' });
    const refused = await client.producer({ topic: 'access' }).catch((e: unknown) => e);
    expect((refused as TributaryError).codeName).to.equal('producerBusy');
    await exclusive.close();
  });

  it('refuses a producer whose schema differs from the topic schema', async () => {
    const p = await client.producer({ topic: 'typed', schema: 'string' });
    const error = await client.producer({ topic: 'typed', schema: 'int64' }).catch((e: unknown) => e);
    expect((error as TributaryError).codeName).to.equal('schemaMismatch');
    expect((error as Error).message).to.match(/topic has schema string/);
    await p.close();
  });

  it('refuses JSON that does not validate against the topic JSON Schema, per message, storing nothing', async () => {
    const definition = JSON.stringify({ type: 'object', required: ['id'], properties: { id: { type: 'integer' } } });
    const p = await client.producer({ topic: 'orders-json', schema: { type: 'json', definition } });
    expect((await p.send({ id: 1 })).offset).to.equal(0n);
    const error = await p.send({ id: 'nope' }).catch((e: unknown) => e);
    expect((error as TributaryError).codeName).to.equal('schemaValidation');
    expect((error as Error).message).to.match(/must be integer/);
    const notJson = await p.send(Buffer.from('{broken')).catch((e: unknown) => e);
    expect((notJson as Error).message).to.match(/not valid JSON/);
    expect((await p.send({ id: 2 })).offset).to.equal(1n);
    await p.close();
  });

  it('keeps namespaces apart and enforces their policies', async () => {
    await client.admin.createNamespace('payments', { maxProducersPerTopic: 1, maxMessageBytes: 10 });
    const p = await client.producer({ topic: '/payments/orders' });
    const second = await client.producer({ topic: '/payments/orders' }).catch((e: unknown) => e);
    expect((second as TributaryError).codeName).to.equal('policyViolation');
    const big = await p.send('x'.repeat(11)).catch((e: unknown) => e);
    expect((big as TributaryError).codeName).to.equal('messageTooLarge');
    await p.send('small');
    const topics = await client.admin.listTopics('payments');
    expect(topics.topics).to.deep.include({ name: '/payments/orders', kafkaName: 'payments.orders', partitions: 1 });
    await client.admin.createNamespace('tight', { maxConsumersPerTopic: 1 });
    const only = await client.subscribe({ topic: '/tight/t', subscription: 'a', type: 'shared' });
    const extra = await client.subscribe({ topic: '/tight/t', subscription: 'b', type: 'shared' }).catch((e: unknown) => e);
    expect((extra as TributaryError).codeName).to.equal('policyViolation');
    await only.close();
    const missing = await client.producer({ topic: '/nowhere/x' }).catch((e: unknown) => e);
    expect((missing as TributaryError).codeName).to.equal('namespaceNotFound');
    await p.close();
  });

  it('lists subscriptions with their consumers and backlog', async () => {
    const producer = await client.producer({ topic: 'backlog' });
    const consumer = await client.subscribe({ topic: 'backlog', subscription: 'b', type: 'shared', name: 'worker-1', receiverQueueSize: 1 });
    for (let i = 0; i < 5; i++) await producer.send(`m${i}`);
    const m = (await consumer.receive(5000))!;
    await consumer.ack(m);
    await new Promise((r) => setTimeout(r, 50));
    const { subscriptions } = await client.admin.listSubscriptions('backlog');
    expect(subscriptions).to.have.length(1);
    expect(subscriptions[0]).to.include({ name: 'b', type: 'shared', backlog: 4 });
    expect(subscriptions[0].consumers).to.deep.equal(['worker-1']);
    await consumer.close();
    await producer.close();
  });
});

describe('Native client on a partitioned topic', () => {
  let broker: NativeHarness;
  let client: TributaryClient;
  before(async () => {
    broker = await NativeHarness.start();
    client = await connect({ bootstrap: broker.address });
  });
  after(async () => {
    await client.close();
    await broker.destroy();
  });

  it('routes each key to one partition and consumes every partition through one subscription', async () => {
    await client.admin.createTopic('/default/parts', { partitions: 3 });
    const producer = await client.producer({ topic: 'parts' });
    expect(producer.partitions).to.equal(3);
    const sent = await Promise.all(Array.from({ length: 60 }, (_, i) => producer.send(`m${i}`, { key: `key-${i % 6}` })));
    const partitionOfKey = new Map<string, Set<number>>();
    sent.forEach((r, i) => partitionOfKey.set(`key-${i % 6}`, (partitionOfKey.get(`key-${i % 6}`) ?? new Set()).add(r.partition)));
    expect([...partitionOfKey.values()].every((s) => s.size === 1)).to.equal(true);
    expect(new Set(sent.map((r) => r.partition)).size).to.be.greaterThan(1);
    const consumer = await client.subscribe({ topic: 'parts', subscription: 'all', type: 'shared', initialPosition: 'earliest' });
    const seen = new Set<string>();
    while (seen.size < 60) {
      const m = (await consumer.receive(5000))!;
      seen.add(`${m.partition}/${m.offset}`);
      await consumer.ack(m);
    }
    expect([...seen].sort()).to.deep.equal(sent.map((r) => `${r.partition}/${r.offset}`).sort());
    await consumer.close();
    await producer.close();
  });
});

import { expect } from 'chai';
import { connect, TributaryClient } from '../../src/client';
import { batchesOf } from '../../src/protocol/kafka/record-batch';
import { decodeRecordBatch } from '../../src/protocol/kafka/record-batch-builder';
import { partitionForKey } from '../../src/protocol/native/key-hash';
import { BrokerFixture, startTestBroker } from '../e2e/support/broker-fixture';

describe('Native producer: sendMany() and the batch written as messages arrive', function () {
  this.timeout(60_000);
  let fixture: BrokerFixture;
  let client: TributaryClient;

  before(async () => {
    fixture = await startTestBroker({ 'log.level': 'silent' });
    client = await connect({ bootstrap: fixture.bootstrap, clientName: 'send-many' });
  });
  after(async () => {
    await client.close();
    await fixture.stop();
  });

  /** Every stored batch of a partition of the Kafka topic, decoded. */
  async function stored(kafkaTopic: string, partition = 0) {
    const { chunks } = await (await fixture.broker.services.partitions.get(kafkaTopic, partition)).read(0n, 64 << 20);
    return [...batchesOf(Buffer.concat(chunks))].map((b) => ({ bytes: b.bytes.length, ...decodeRecordBatch(b.bytes) }));
  }

  it('stores the messages of one call in order and answers each one its offset', async () => {
    const producer = await client.producer({ topic: 'many', lingerMs: 20 });
    const result = await producer.sendMany(['a', Buffer.from('b'), 'ü'], { key: 'k', headers: { h: 'v' }, timestampMs: 1234 });
    expect(result.count).to.equal(3);
    expect(result.partition).to.equal(0);
    expect([0, 1, 2].map((i) => result.offsetOf(i))).to.deep.equal([0n, 1n, 2n]);
    expect(() => result.offsetOf(3)).to.throw(RangeError);
    const [batch] = await stored('many');
    expect(batch.records.map((r) => [r.key?.toString(), r.value?.toString(), r.headers[0].value?.toString(), r.timestamp])).to.deep.equal([
      ['k', 'a', 'v', 1234n], ['k', 'b', 'v', 1234n], ['k', 'ü', 'v', 1234n]]);
    expect((await producer.sendMany([])).count).to.equal(0);
    await producer.close();
  });

  it('keeps the order of send() and sendMany() calls made together, and gives each call its own offsets', async () => {
    const producer = await client.producer({ topic: 'interleaved', lingerMs: 20, batchMessagesMax: 4 });
    const first = producer.send('s0');
    const many = producer.sendMany(['m0', 'm1', 'm2', 'm3', 'm4']);
    const last = producer.send('s1');
    expect((await first).offset).to.equal(0n);
    const result = await many;
    expect(Array.from({ length: 5 }, (_, i) => result.offsetOf(i))).to.deep.equal([1n, 2n, 3n, 4n, 5n]);
    expect((await last).offset).to.equal(6n);
    const batches = await stored('interleaved');
    expect(batches.map((b) => b.records.length)).to.deep.equal([4, 3]);
    expect(batches.flatMap((b) => b.records.map((r) => r.value?.toString()))).to.deep.equal(['s0', 'm0', 'm1', 'm2', 'm3', 'm4', 's1']);
    await producer.close();
  });

  it('sends a keyed call to its key\'s partition and waits for room past maxPendingMessages', async () => {
    await client.admin.createTopic('/default/keyed-many', { partitions: 3 });
    const producer = await client.producer({ topic: 'keyed-many', maxPendingMessages: 100, batchMessagesMax: 30 });
    const values = Array.from({ length: 1000 }, (_, i) => `v${i}`);
    const result = await producer.sendMany(values, { key: 'customer-7' });
    const partition = partitionForKey(Buffer.from('customer-7'), 3);
    expect(result.partition).to.equal(partition);
    expect(result.offsetOf(999)).to.equal(999n);
    const records = (await stored('keyed-many', partition)).flatMap((b) => b.records);
    expect(records.map((r) => r.value?.toString())).to.deep.equal(values);
    await producer.close();
  });

  it('cuts batches before batchBytesMax, so the broker never refuses one as too large', async () => {
    const producer = await client.producer({ topic: 'byte-capped', lingerMs: 50, batchMessagesMax: 100_000, batchBytesMax: 10_000 });
    await Promise.all(Array.from({ length: 300 }, () => producer.send(Buffer.alloc(100, 1))));
    await producer.sendMany(Array.from({ length: 300 }, () => 'x'.repeat(100)));
    const batches = await stored('byte-capped');
    expect(batches.reduce((n, b) => n + b.records.length, 0)).to.equal(600);
    expect(batches.length).to.be.greaterThan(4);
    for (const b of batches) expect(b.bytes).to.be.at.most(10_000);
    await producer.close();
  });

  it('holds send() and sendMany() past maxPendingBytes of unacknowledged records until receipts free room', async () => {
    // A 100 B record takes 108 bytes: ten reach 1000, so each linger period sends ten.
    const producer = await client.producer({ topic: 'bytes-pending', lingerMs: 100, maxPendingBytes: 1000 });
    const sent = Array.from({ length: 30 }, () => producer.send(Buffer.alloc(100, 2)));
    const many = producer.sendMany(Array.from({ length: 15 }, () => Buffer.alloc(100, 3)));
    expect((await Promise.all(sent)).map((r) => r.offset)).to.deep.equal(Array.from({ length: 30 }, (_, i) => BigInt(i)));
    expect((await many).offsetOf(14)).to.equal(44n);
    const batches = await stored('bytes-pending');
    expect(batches.slice(0, 3).map((b) => b.records.length)).to.deep.equal([10, 10, 10]);
    expect(batches.reduce((n, b) => n + b.records.length, 0)).to.equal(45);
    await producer.close();
  });

  it('lets calls that waited for room in, in the order they waited, send() and sendMany() alike', async () => {
    const producer = await client.producer({ topic: 'fifo', lingerMs: 5, maxPendingMessages: 20 });
    const calls: Array<Promise<unknown>> = [];
    const expected: string[] = [];
    for (let i = 0; i < 60; i++) {
      if (i % 7 === 0) {
        const values = [`m${i}a`, `m${i}b`, `m${i}c`];
        calls.push(producer.sendMany(values));
        expected.push(...values);
      } else {
        calls.push(producer.send(`s${i}`));
        expected.push(`s${i}`);
      }
    }
    await Promise.all(calls);
    await producer.flush();
    const records = (await stored('fifo')).flatMap((b) => b.records);
    expect(records.map((r) => r.value?.toString())).to.deep.equal(expected);
    await producer.close();
  });

  it('encodes the values of a JSON topic as send() does, and refuses a call with a value that is not JSON before queuing any', async () => {
    const producer = await client.producer({ topic: 'json-many', schema: 'json' });
    await producer.sendMany([{ a: 1 }, 'text', 7]);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    let refused: unknown = null;
    await producer.sendMany([{ b: 2 }, cyclic]).catch((err: unknown) => {
      refused = err;
    });
    expect(refused).to.be.instanceOf(TypeError);
    await producer.flush();
    const records = (await stored('json-many')).flatMap((b) => b.records);
    expect(records.map((r) => r.value?.toString())).to.deep.equal(['{"a":1}', '"text"', '7']);
    await producer.close();
  });

  it('sends what it queued as SEND frames to a version 1 broker connection, and refuses a timestamp beyond 2^53 ms', async () => {
    const v1 = await connect({ bootstrap: fixture.bootstrap, clientName: 'v1', protocolVersion: 1 });
    const producer = await v1.producer({ topic: 'many-v1' });
    const result = await producer.sendMany(['a', 'b'], { key: 'k', headers: { h: 'v' }, timestampMs: 99n });
    expect(result.offsetOf(1)).to.equal(1n);
    const records = (await stored('many-v1')).flatMap((b) => b.records);
    expect(records.map((r) => `${r.key?.toString()}:${r.value?.toString()}:${r.headers[0].value?.toString()}:${r.timestamp}`)).to.deep.equal(['k:a:v:99', 'k:b:v:99']);
    expect(() => producer.send('x', { timestampMs: 2n ** 60n })).to.throw(RangeError);
    await producer.close();
    await v1.close();
  });
});

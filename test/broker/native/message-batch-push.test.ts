import { expect } from 'chai';
import { connect } from '../../../src/client';
import { readBatchHeader } from '../../../src/protocol/kafka/record-batch';
import { encodeNativeMessage } from '../../../src/protocol/native/codec';
import { batchSlice } from '../../../src/protocol/native/message-batch';
import type { NativeMessage } from '../../../src/protocol/native/messages';
import { NativeHarness } from './support/native-harness';
import { RawClient } from './support/raw-client';

describe('MESSAGE_BATCH: first deliveries pushed as the stored batch (protocol version 3)', () => {
  let broker: NativeHarness;
  before(async () => {
    broker = await NativeHarness.start();
  });
  after(async () => {
    await broker.destroy();
  });

  /** Ten messages in one stored batch (one SEND_BATCH within the linger). */
  async function tenInOneBatch(topic: string): Promise<void> {
    const client = await connect({ bootstrap: broker.address });
    const producer = await client.producer({ topic, lingerMs: 20 });
    await Promise.all(Array.from({ length: 10 }, (_, i) => producer.send(`m${i}`, { key: `k${i}`, headers: { h: `v${i}` }, timestampMs: 1000 + i })));
    await client.close();
  }

  async function consumerOn(topic: string, protocolVersion: number, permits: number): Promise<RawClient> {
    const raw = await RawClient.open(broker.address);
    raw.write(encodeNativeMessage({ type: 'connect', protocolVersion, clientName: 'raw', authToken: null }, 1));
    expect((await raw.next()).message).to.include({ type: 'connected', protocolVersion });
    raw.write(encodeNativeMessage({
      type: 'subscribe', consumerId: 7, topic, subscription: 's', subscriptionType: 'exclusive', consumerName: 'c', priority: 0,
      initialPosition: 'earliest', positionValue: 0n,
    }, 2));
    expect((await raw.next()).message).to.deep.equal({ type: 'success' });
    raw.write(encodeNativeMessage({ type: 'flow', consumerId: 7, permits }, 0));
    return raw;
  }

  async function pushes(raw: RawClient, messages: number): Promise<NativeMessage[]> {
    const out: NativeMessage[] = [];
    let seen = 0;
    while (seen < messages) {
      const { message } = await raw.next();
      out.push(message);
      if (message.type === 'message') seen++;
      else if (message.type === 'messageBatch') seen += Number(message.lastOffset - message.firstOffset) + 1;
    }
    return out;
  }

  /** The ten messages of `topic` as the client gives them, every field as text. */
  async function readTen(topic: string, protocolVersion: number, subscription: string, receiverQueueSize?: number): Promise<string[]> {
    const client = await connect({ bootstrap: broker.address, protocolVersion });
    const consumer = await client.subscribe({ topic, subscription, type: 'exclusive', initialPosition: 'earliest', receiverQueueSize });
    const got: string[] = [];
    while (got.length < 10) {
      const m = (await consumer.receive(5000))!;
      got.push(`${m.partition}/${m.offset}/${m.publishTimeMs}/${m.key}/${m.headers.map((h) => `${h.key}=${h.value}`)}/${m.payload}/${m.redeliveryCount}`);
    }
    await client.close();
    return got;
  }

  it('sends a version 3 consumer one MESSAGE_BATCH holding the batch exactly as the log stores it', async () => {
    await tenInOneBatch('whole');
    const raw = await consumerOn('whole', 3, 100);
    const [push] = await pushes(raw, 10);
    if (push.type !== 'messageBatch') throw new Error(`expected messageBatch, got ${push.type}`);
    expect(push).to.include({ consumerId: 7, partition: 0, firstOffset: 0n, lastOffset: 9n });
    const { chunks } = await (await broker.services.partitions.get('whole', 0)).read(0n, 1 << 20);
    expect(push.batch.equals(Buffer.concat(chunks))).to.equal(true);
    expect(readBatchHeader(push.batch)).to.include({ baseOffset: 0n, recordCount: 10 });
    raw.socket.destroy();
  });

  it('sends a version 2 consumer one MESSAGE frame per message instead', async () => {
    await tenInOneBatch('per-message');
    const raw = await consumerOn('per-message', 2, 100);
    const frames = await pushes(raw, 10);
    expect(frames.map((f) => f.type)).to.deep.equal(Array(10).fill('message'));
    expect(frames.map((f) => (f as Extract<NativeMessage, { type: 'message' }>).offset)).to.deep.equal(Array.from({ length: 10 }, (_, i) => BigInt(i)));
    raw.socket.destroy();
  });

  it('sends MESSAGE frames when the permits cover less than half of the batch, and a MESSAGE_BATCH for a run of at least half', async () => {
    await tenInOneBatch('partial');
    const raw = await consumerOn('partial', 3, 3);
    const few = await pushes(raw, 3);
    expect(few.map((f) => f.type)).to.deep.equal(['message', 'message', 'message']);
    raw.write(encodeNativeMessage({ type: 'flow', consumerId: 7, permits: 5 }, 0));
    const [run] = await pushes(raw, 5);
    expect(run).to.include({ type: 'messageBatch', firstOffset: 3n, lastOffset: 7n });
    raw.socket.destroy();
  });

  it('gives the client the same messages whether they came as MESSAGE_BATCH (version 3) or MESSAGE (version 2)', async () => {
    await tenInOneBatch('same');
    const batched = await readTen('same', 3, 'v3');
    expect(batched).to.deep.equal(await readTen('same', 2, 'v2'));
    expect(batched[4]).to.equal('0/4/1004/k4/h=v4/m4/0');
  });

  it('sends a version 4 consumer each range its permits allow as one MESSAGE_BATCH, a slice of the stored batch when it is part of it', async () => {
    await tenInOneBatch('sliced');
    const raw = await consumerOn('sliced', 4, 3);
    const [first] = await pushes(raw, 3);
    if (first.type !== 'messageBatch') throw new Error(`expected messageBatch, got ${first.type}`);
    expect(first).to.include({ firstOffset: 0n, lastOffset: 2n });
    const { chunks } = await (await broker.services.partitions.get('sliced', 0)).read(0n, 1 << 20);
    const stored = Buffer.concat(chunks);
    expect(first.batch.equals(batchSlice(stored, 0, 3))).to.equal(true);
    raw.write(encodeNativeMessage({ type: 'flow', consumerId: 7, permits: 100 }, 0));
    const [rest] = await pushes(raw, 7);
    expect(rest).to.include({ type: 'messageBatch', firstOffset: 3n, lastOffset: 9n });
    expect((rest as Extract<NativeMessage, { type: 'messageBatch' }>).batch.equals(batchSlice(stored, 3, 7))).to.equal(true);
    raw.socket.destroy();
  });

  it('gives the client the same messages from version 4 slices as from MESSAGE frames (version 2)', async () => {
    await tenInOneBatch('same-sliced');
    expect(await readTen('same-sliced', 4, 'v4', 3)).to.deep.equal(await readTen('same-sliced', 2, 'v2', 3));
  });
});

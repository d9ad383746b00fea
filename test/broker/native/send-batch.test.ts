import { expect } from 'chai';
import { connect } from '../../../src/client';
import { NATIVE_LIMITS } from '../../../src/limits';
import { BATCH, writeBatchCrc } from '../../../src/protocol/kafka/record-batch';
import { encodeNativeMessage } from '../../../src/protocol/native/codec';
import { NATIVE_ERRORS } from '../../../src/protocol/native/error-codes';
import { encodeMessageBatch } from '../../../src/protocol/native/message-batch';
import type { NativeMessage, OutgoingMessage, SchemaInfo } from '../../../src/protocol/native/messages';
import { NativeHarness } from './support/native-harness';
import { RawClient } from './support/raw-client';

const BYTES: SchemaInfo = { type: 'bytes', definition: null };

function messages(...payloads: string[]): OutgoingMessage[] {
  return payloads.map((p, i) => ({ key: i === 0 ? Buffer.from('k') : null, timestampMs: 1000n + BigInt(i), headers: [{ key: 'h', value: Buffer.from(p) }], payload: Buffer.from(p) }));
}

/** A batch with `patch` applied and its CRC-32C made right again, so only the patched rule can refuse it. */
function patched(batch: Buffer, patch: (b: Buffer) => void): Buffer {
  const copy = Buffer.from(batch);
  patch(copy);
  writeBatchCrc(copy);
  return copy;
}

describe('SEND_BATCH: a RecordBatch built by the client, stored as sent', () => {
  let broker: NativeHarness;
  before(async () => {
    broker = await NativeHarness.start();
  });
  after(async () => {
    await broker.destroy();
  });

  async function producerOn(topic: string, schema = BYTES, protocolVersion = 2): Promise<RawClient> {
    const raw = await RawClient.open(broker.address);
    raw.write(encodeNativeMessage({ type: 'connect', protocolVersion, clientName: 'raw', authToken: null }, 1));
    expect((await raw.next()).message).to.include({ type: 'connected', protocolVersion });
    raw.write(encodeNativeMessage({ type: 'createProducer', producerId: 1, topic, producerName: 'p', accessMode: 'shared', schema }, 2));
    expect((await raw.next()).message).to.include({ type: 'producerCreated' });
    return raw;
  }

  async function sendBatch(raw: RawClient, batch: Buffer, partition = 0): Promise<NativeMessage> {
    raw.write(encodeNativeMessage({ type: 'sendBatch', producerId: 1, partition, batch }, 3));
    return (await raw.next()).message;
  }

  async function stored(topic: string): Promise<Buffer> {
    const read = await (await broker.services.partitions.get(topic, 0)).read(0n, 1 << 20);
    return Buffer.concat(read.chunks);
  }

  async function expectRefused(raw: RawClient, batch: Buffer, code: keyof typeof NATIVE_ERRORS, why: RegExp, topic: string): Promise<void> {
    const reply = await sendBatch(raw, batch);
    expect(reply).to.include({ type: 'error', code: NATIVE_ERRORS[code] });
    expect((reply as { message: string }).message).to.match(why);
    expect((await broker.services.partitions.get(topic, 0)).highWatermark()).to.equal(0n);
  }

  it('answers with the base offset and count, and stores the bytes as sent but for the base offset', async () => {
    const raw = await producerOn('batches');
    const first = encodeMessageBatch(messages('a', 'b', 'c'));
    const second = encodeMessageBatch(messages('d'));
    expect(await sendBatch(raw, first)).to.deep.equal({ type: 'sendBatchReceipt', producerId: 1, partition: 0, baseOffset: 0n, count: 3 });
    expect(await sendBatch(raw, second)).to.deep.equal({ type: 'sendBatchReceipt', producerId: 1, partition: 0, baseOffset: 3n, count: 1 });
    const expected = Buffer.concat([first, patched(second, (b) => b.writeBigInt64BE(3n, BATCH.baseOffsetAt))]);
    expect((await stored('batches')).toString('hex')).to.equal(expected.toString('hex'));
    raw.socket.destroy();
  });

  it('delivers the messages of a SEND_BATCH to a consumer with keys, headers, timestamps and offsets', async () => {
    const raw = await producerOn('batch-consumed');
    await sendBatch(raw, encodeMessageBatch(messages('x', 'y')));
    const client = await connect({ bootstrap: broker.address });
    const consumer = await client.subscribe({ topic: 'batch-consumed', subscription: 's', type: 'exclusive', initialPosition: 'earliest' });
    const got = [];
    for await (const m of consumer) {
      got.push({ offset: m.offset, key: m.key?.toString() ?? null, value: m.payload.toString(), headers: m.headers, publishTimeMs: m.publishTimeMs });
      if (got.length === 2) break;
    }
    expect(got).to.deep.equal([
      { offset: 0n, key: 'k', value: 'x', headers: [{ key: 'h', value: Buffer.from('x') }], publishTimeMs: 1000n },
      { offset: 1n, key: null, value: 'y', headers: [{ key: 'h', value: Buffer.from('y') }], publishTimeMs: 1001n },
    ]);
    await client.close();
    raw.socket.destroy();
  });

  it('refuses batches a Kafka produce would refuse, storing nothing: bad CRC, wrong record count, trailing bytes, bad magic', async () => {
    const raw = await producerOn('corrupt');
    const good = encodeMessageBatch(messages('a', 'b'));
    const badCrc = Buffer.from(good);
    badCrc[badCrc.length - 1] ^= 0xff;
    await expectRefused(raw, badCrc, 'invalidRequest', /CRC-32C/, 'corrupt');
    const miscounted = patched(good, (b) => {
      b.writeInt32BE(3, BATCH.recordCountAt);
      b.writeInt32BE(2, BATCH.lastOffsetDeltaAt);
    });
    await expectRefused(raw, miscounted, 'invalidRequest', /declares 3 records/, 'corrupt');
    await expectRefused(raw, Buffer.concat([good, Buffer.alloc(3)]), 'invalidRequest', /exactly one record batch/, 'corrupt');
    await expectRefused(raw, patched(good, (b) => b.writeInt8(1, BATCH.magicAt)), 'invalidRequest', /magic/, 'corrupt');
    await expectRefused(raw, Buffer.alloc(5), 'invalidRequest', /record batch/, 'corrupt');
    raw.socket.destroy();
  });

  it('refuses compressed, LogAppendTime, transactional and idempotent batches and more than sendMessagesMax records', async () => {
    const raw = await producerOn('native-rules');
    const good = encodeMessageBatch(messages('a'));
    for (const attributes of [0x01, 0x08, 0x10]) {
      await expectRefused(raw, patched(good, (b) => b.writeInt16BE(attributes, BATCH.attributesAt)), 'invalidRequest', /attributes 0/, 'native-rules');
    }
    const idempotent = patched(good, (b) => {
      b.writeBigInt64BE(7n, BATCH.producerIdAt);
      b.writeInt32BE(0, BATCH.baseSequenceAt);
    });
    await expectRefused(raw, idempotent, 'invalidRequest', /producer id -1, not 7/, 'native-rules');
    const many = Array.from({ length: NATIVE_LIMITS.sendMessagesMax + 1 }, () => ({ key: null, timestampMs: 0n, headers: [], payload: Buffer.alloc(0) }));
    await expectRefused(raw, encodeMessageBatch(many), 'invalidRequest', /at most 10000/, 'native-rules');
    raw.socket.destroy();
  });

  it('checks every message of a JSON topic against its schema, refusing the whole batch and naming the message', async () => {
    const definition = JSON.stringify({ type: 'object', required: ['id'] });
    const raw = await producerOn('batch-json', { type: 'json', definition });
    await expectRefused(raw, encodeMessageBatch(messages('{"id":1}', '{"no":2}')), 'schemaValidation', /message 1: .*'id'/, 'batch-json');
    await expectRefused(raw, encodeMessageBatch(messages('{"id":1}', '{', '{"id":3}')), 'schemaValidation', /message 1: payload is not valid JSON/, 'batch-json');
    expect(await sendBatch(raw, encodeMessageBatch(messages('{"id":1}', '{"id":2}')))).to.include({ type: 'sendBatchReceipt', baseOffset: 0n, count: 2 });
    raw.socket.destroy();
  });

  it('refuses a batch with a sound CRC and record lengths whose record fields do not fit, or whose offset deltas are not 0, 1, 2...', async () => {
    const raw = await producerOn('batch-shape');
    // One record of 8 bytes whose value length says 3 bytes where 2 follow: lengths tile, fields do not.
    const good = encodeMessageBatch([{ key: null, timestampMs: 1000n, headers: [], payload: Buffer.from('hi') }]);
    const valueLengthAt = BATCH.headerBytes + 5;
    expect(good[valueLengthAt]).to.equal(0x04);
    await expectRefused(raw, patched(good, (b) => { b[valueLengthAt] = 0x06; }), 'invalidRequest', /record batch refused: record 0 has no valid header count/, 'batch-shape');
    const twoRecords = encodeMessageBatch(messages('a', 'b'));
    const secondOffsetDeltaAt = BATCH.headerBytes + 1 + twoRecords[BATCH.headerBytes] / 2 + 3;
    expect(twoRecords[secondOffsetDeltaAt]).to.equal(0x02);
    await expectRefused(raw, patched(twoRecords, (b) => { b[secondOffsetDeltaAt] = 0x00; }), 'invalidRequest', /record 1 has offset delta 0, not 1/, 'batch-shape');
    raw.socket.destroy();
  });

  it("applies the namespace's maxMessageBytes to each message of a bytes topic", async () => {
    const client = await connect({ bootstrap: broker.address });
    await client.admin.createNamespace('small', { maxMessageBytes: 4 });
    await client.close();
    const raw = await producerOn('/small/t');
    await expectRefused(raw, encodeMessageBatch(messages('abcd', 'abcde')), 'messageTooLarge', /message 1 has 5 bytes/, 'small.t');
    expect(await sendBatch(raw, encodeMessageBatch(messages('abcd')))).to.include({ type: 'sendBatchReceipt', count: 1 });
    raw.socket.destroy();
  });

  it('refuses SEND_BATCH on a connection that negotiated version 1, where SEND still works', async () => {
    const raw = await producerOn('v1', BYTES, 1);
    await expectRefused(raw, encodeMessageBatch(messages('a')), 'invalidRequest', /needs protocol version 2/, 'v1');
    raw.write(encodeNativeMessage({ type: 'send', producerId: 1, partition: 0, messages: messages('a', 'b') }, 4));
    expect((await raw.next()).message).to.deep.equal({ type: 'sendReceipt', producerId: 1, partition: 0, offsets: [0n, 1n] });
    raw.socket.destroy();
  });

  it('refuses an unknown producer and a partition the topic does not have', async () => {
    const raw = await producerOn('partitions');
    raw.write(encodeNativeMessage({ type: 'sendBatch', producerId: 9, partition: 0, batch: encodeMessageBatch(messages('a')) }, 3));
    expect((await raw.next()).message).to.include({ type: 'error', code: NATIVE_ERRORS.unknownProducer });
    expect(await sendBatch(raw, encodeMessageBatch(messages('a')), 4)).to.include({ type: 'error', code: NATIVE_ERRORS.invalidRequest });
    raw.socket.destroy();
  });
});

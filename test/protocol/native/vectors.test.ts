import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeNativeFrame, encodeNativeMessage } from '../../../src/protocol/native/codec';
import { splitNativeFrame } from '../../../src/protocol/native/frame';
import type { NativeMessage } from '../../../src/protocol/native/messages';
import { encodeMessageBatch } from '../../../src/protocol/native/message-batch';
import { decodeRecordBatch } from '../../../src/protocol/kafka/record-batch-builder';
import { validateProducedBatch } from '../../../src/protocol/kafka/record-batch-validation';

/** Byte vectors are read from docs/native-protocol.md §5, so the document and the code cannot drift. */
function vectorsFromSpec(): Map<string, Buffer> {
  const doc = readFileSync(join(__dirname, '../../../docs/native-protocol.md'), 'utf8');
  const vectors = new Map<string, Buffer>();
  for (const match of doc.matchAll(/```vector (\w+)[^\n]*\n([^`]+)```/g)) {
    vectors.set(match[1], Buffer.from(match[2].replace(/[\s|]/g, ''), 'hex'));
  }
  return vectors;
}

const EXPECTED: Array<{ name: string; requestId: number; message: NativeMessage }> = [
  { name: 'ping', requestId: 7, message: { type: 'ping' } },
  { name: 'connect', requestId: 1, message: { type: 'connect', protocolVersion: 1, clientName: 'cli', authToken: null } },
  { name: 'connectV2', requestId: 1, message: { type: 'connect', protocolVersion: 2, clientName: 'cli', authToken: null } },
  { name: 'flow', requestId: 0, message: { type: 'flow', consumerId: 2, permits: 1000 } },
  { name: 'error', requestId: 5, message: { type: 'error', code: 10, message: 'busy' } },
  {
    name: 'subscribe', requestId: 6,
    message: {
      type: 'subscribe', consumerId: 2, topic: 't', subscription: 's', subscriptionType: 'shared',
      consumerName: 'c', priority: 0, initialPosition: 'earliest', positionValue: 0n,
    },
  },
  {
    name: 'send', requestId: 3,
    message: {
      type: 'send', producerId: 1, partition: -1,
      messages: [{ key: Buffer.from('k'), timestampMs: 1000n, headers: [{ key: 'h', value: Buffer.from('v') }], payload: Buffer.from('hi') }],
    },
  },
  {
    name: 'message', requestId: 0,
    message: {
      type: 'message', consumerId: 2, partition: 0, offset: 5n, publishTimeMs: 1000n, key: null, headers: [],
      payload: Buffer.from('hi'), redeliveryCount: 1,
    },
  },
  {
    name: 'sendBatch', requestId: 3,
    message: {
      type: 'sendBatch', producerId: 1, partition: 0,
      batch: encodeMessageBatch([{ key: null, timestampMs: 1000n, headers: [], payload: Buffer.from('hi') }]),
    },
  },
  { name: 'sendBatchReceipt', requestId: 3, message: { type: 'sendBatchReceipt', producerId: 1, partition: 0, baseOffset: 42n, count: 1 } },
  { name: 'ack', requestId: 4, message: { type: 'ack', consumerId: 2, ackType: 'cumulative', ids: [{ partition: 0, offset: 9n }] } },
];

describe('Native protocol byte vectors (docs/native-protocol.md §5)', () => {
  const vectors = vectorsFromSpec();

  it('finds every vector the tests expect in the document', () => {
    expect([...vectors.keys()].sort()).to.deep.equal(EXPECTED.map((e) => e.name).sort());
  });

  for (const { name, requestId, message } of EXPECTED) {
    it(`encodes ${name} exactly as the document writes it`, () => {
      expect(encodeNativeMessage(message, requestId).toString('hex')).to.equal(vectors.get(name)!.toString('hex'));
    });

    it(`decodes the document's ${name} bytes back into the same message`, () => {
      const split = splitNativeFrame(vectors.get(name)!, 1 << 20);
      if (split.kind !== 'frame') throw new Error(`vector ${name} did not frame: ${split.kind}`);
      expect(split.frame.requestId).to.equal(requestId);
      expect(decodeNativeFrame(split.frame)).to.deep.equal(message);
    });
  }

  it("holds in the sendBatch vector a batch a Kafka produce accepts (CRC-32C, magic, count) whose one record is the document's message", () => {
    const split = splitNativeFrame(vectors.get('sendBatch')!, 1 << 20);
    if (split.kind !== 'frame') throw new Error('sendBatch vector did not frame');
    const { batch } = decodeNativeFrame(split.frame) as Extract<NativeMessage, { type: 'sendBatch' }>;
    expect(validateProducedBatch(batch, { produceVersion: 11 })).to.include({ ok: true });
    const { header, records } = decodeRecordBatch(batch);
    expect(header).to.include({ attributes: 0, producerId: -1n, recordCount: 1, baseTimestamp: 1000n });
    expect(records.map((r) => ({ key: r.key, value: r.value?.toString(), timestamp: r.timestamp, headers: r.headers })))
      .to.deep.equal([{ key: null, value: 'hi', timestamp: 1000n, headers: [] }]);
  });
});

import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeNativeFrame, encodeNativeMessage } from '../../../src/protocol/native/codec';
import { splitNativeFrame } from '../../../src/protocol/native/frame';
import { NATIVE_ERRORS } from '../../../src/protocol/native/error-codes';
import { FRAME_TYPES, FrameTypeName, NativeMessage } from '../../../src/protocol/native/messages';
import { batchSlice, encodeMessageBatch } from '../../../src/protocol/native/message-batch';
import { decodeRecordBatch } from '../../../src/protocol/kafka/record-batch-builder';
import { validateProducedBatch } from '../../../src/protocol/kafka/record-batch-validation';

interface SpecVector {
  bytes: Buffer;
  /** The `field=value` tokens of the vector's first line, e.g. requestId=7. */
  fields: Map<string, string>;
}

const SPEC = readFileSync(join(__dirname, '../../../docs/native-protocol.md'), 'utf8');

/** Splits `a=1 b="x y" c=[{d=1, e=2}]` at the spaces outside quotes and brackets. */
function headerTokens(line: string): Map<string, string> {
  const fields = new Map<string, string>();
  let depth = 0;
  let quote: string | null = null;
  let start = 0;
  const take = (end: number) => {
    const token = line.slice(start, end).trim();
    if (token) fields.set(token.slice(0, token.indexOf('=')), token.slice(token.indexOf('=') + 1));
    start = end + 1;
  };
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) quote = c === quote ? null : quote;
    else if (c === '"' || c === "'") quote = c;
    else if (c === '[' || c === '{') depth++;
    else if (c === ']' || c === '}') depth--;
    else if (c === ' ' && depth === 0) take(i);
  }
  take(line.length);
  return fields;
}

/** Byte vectors are read from docs/native-protocol.md §5, so the document and the code cannot drift. */
function vectorsFromSpec(): Map<string, SpecVector> {
  const vectors = new Map<string, SpecVector>();
  for (const match of SPEC.matchAll(/```vector (\w+)([^\n]*)\n([^`]+)```/g)) {
    vectors.set(match[1], { bytes: Buffer.from(match[3].replace(/[\s|]/g, ''), 'hex'), fields: headerTokens(match[2]) });
  }
  return vectors;
}

/** Where a field named on a vector's first line lives in the typed message, when not under the same name. */
const FIELD_PATHS: Record<string, string[]> = {
  type: ['subscriptionType'], schemaType: ['schema', 'type'], schemaDefinition: ['schema', 'definition'],
};

/** The message's value of a first-line field as text (buffers as their UTF-8); undefined for lists and absent fields. */
function specText(message: NativeMessage, field: string): string | undefined {
  let value: unknown = message;
  for (const step of FIELD_PATHS[field] ?? [field]) value = (value as Record<string, unknown> | undefined)?.[step];
  if (value === undefined) return undefined;
  if (value === null || typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  if (typeof value === 'string') return value;
  return undefined;
}

/** A first-line value as text: a quoted string (either quote) without its quotes; a number, name, null or boolean as is. */
function unquoted(text: string): string {
  return /^(["']).*\1$/.test(text) ? text.slice(1, -1) : text;
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
  {
    name: 'messageBatch', requestId: 0,
    message: {
      type: 'messageBatch', consumerId: 2, partition: 0, firstOffset: 0n, lastOffset: 0n,
      batch: encodeMessageBatch([{ key: null, timestampMs: 1000n, headers: [], payload: Buffer.from('hi') }]),
    },
  },
  {
    name: 'messageBatchSlice', requestId: 0,
    message: {
      type: 'messageBatch', consumerId: 2, partition: 0, firstOffset: 1n, lastOffset: 1n,
      batch: batchSlice(encodeMessageBatch([
        { key: null, timestampMs: 1000n, headers: [], payload: Buffer.from('hi') },
        { key: null, timestampMs: 1000n, headers: [], payload: Buffer.from('yo') },
      ]), 1, 1),
    },
  },
  { name: 'sendBatchReceipt', requestId: 3, message: { type: 'sendBatchReceipt', producerId: 1, partition: 0, baseOffset: 42n, count: 1 } },
  { name: 'ack', requestId: 4, message: { type: 'ack', consumerId: 2, ackType: 'cumulative', ids: [{ partition: 0, offset: 9n }] } },
  { name: 'nack', requestId: 0, message: { type: 'nack', consumerId: 2, ids: [{ partition: 1, offset: 7n }] } },
  { name: 'connected', requestId: 1, message: { type: 'connected', protocolVersion: 2, brokerId: 7, frameBytesMax: 16_777_216 } },
  { name: 'lookup', requestId: 2, message: { type: 'lookup', topic: '/default/t' } },
  { name: 'lookupResult', requestId: 2, message: { type: 'lookupResult', redirect: true, brokerAddress: '127.0.0.1:9093', partitions: 0 } },
  {
    name: 'createProducer', requestId: 3,
    message: { type: 'createProducer', producerId: 1, topic: 't', producerName: 'p', accessMode: 'exclusive', schema: { type: 'json', definition: '{}' } },
  },
  { name: 'producerCreated', requestId: 3, message: { type: 'producerCreated', producerId: 1, partitions: 4 } },
  { name: 'closeProducer', requestId: 8, message: { type: 'closeProducer', producerId: 1 } },
  { name: 'sendReceipt', requestId: 3, message: { type: 'sendReceipt', producerId: 1, partition: 2, offsets: [41n, 42n] } },
  { name: 'closeConsumer', requestId: 9, message: { type: 'closeConsumer', consumerId: 2 } },
  { name: 'pong', requestId: 7, message: { type: 'pong' } },
  { name: 'activeConsumerChange', requestId: 0, message: { type: 'activeConsumerChange', consumerId: 2, active: true } },
  { name: 'success', requestId: 6, message: { type: 'success' } },
  { name: 'admin', requestId: 10, message: { type: 'admin', operation: 'topics.list', request: '{}' } },
  { name: 'adminResult', requestId: 10, message: { type: 'adminResult', result: '{"topics":[]}' } },
];

/** The frame-type rows of the §3 table: code and SCREAMING_SNAKE name. */
function frameTypeRows(): Array<[number, string]> {
  return [...SPEC.matchAll(/^\| (0x[0-9A-F]{2}) \| ([A-Z_]+)[ |]/gm)].map((m) => [Number(m[1]), m[2]]);
}

/** The §4 table rows: code and name. */
function errorRows(): Array<[number, string]> {
  const section = SPEC.slice(SPEC.indexOf('## 4. Error codes'), SPEC.indexOf('## 5.'));
  return [...section.matchAll(/^\| (\d+) \| (\w+) \|/gm)].map((m) => [Number(m[1]), m[2]]);
}

function screamingSnake(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase();
}

describe('Native protocol byte vectors (docs/native-protocol.md §5)', () => {
  const vectors = vectorsFromSpec();

  it('finds every vector the tests expect in the document', () => {
    expect([...vectors.keys()].sort()).to.deep.equal(EXPECTED.map((e) => e.name).sort());
  });

  it('has a vector for every frame type of the protocol', () => {
    const covered = new Set(EXPECTED.map((e) => e.message.type));
    expect(Object.keys(FRAME_TYPES).filter((name) => !covered.has(name as FrameTypeName))).to.deep.equal([]);
  });

  it('lists in the §3 table exactly the frame types and codes the codec knows', () => {
    expect(frameTypeRows()).to.deep.equal(Object.entries(FRAME_TYPES).map(([name, code]) => [code, screamingSnake(name)]));
  });

  it('lists in the §4 table exactly the error codes the broker sends', () => {
    expect(errorRows()).to.deep.equal(Object.entries(NATIVE_ERRORS).map(([name, code]) => [code, name]));
  });

  for (const { name, requestId, message } of EXPECTED) {
    it(`names on the ${name} vector's first line the same field values as the message the test checks`, () => {
      const { fields } = vectors.get(name)!;
      expect(fields.get('requestId')).to.equal(String(requestId));
      for (const [field, text] of fields) {
        if (field === 'requestId' || text.startsWith('[')) continue;
        expect(specText(message, field), `${name}.${field}`).to.equal(unquoted(text));
      }
    });

    it(`encodes ${name} exactly as the document writes it`, () => {
      expect(encodeNativeMessage(message, requestId).toString('hex')).to.equal(vectors.get(name)!.bytes.toString('hex'));
    });

    it(`decodes the document's ${name} bytes back into the same message`, () => {
      const split = splitNativeFrame(vectors.get(name)!.bytes, 1 << 20);
      if (split.kind !== 'frame') throw new Error(`vector ${name} did not frame: ${split.kind}`);
      expect(split.frame.requestId).to.equal(requestId);
      expect(split.frame.type).to.equal(FRAME_TYPES[message.type]);
      expect(decodeNativeFrame(split.frame)).to.deep.equal(message);
    });
  }

  it("holds in the sendBatch vector a batch a Kafka produce accepts (CRC-32C, magic, count) whose one record is the document's message", () => {
    const split = splitNativeFrame(vectors.get('sendBatch')!.bytes, 1 << 20);
    if (split.kind !== 'frame') throw new Error('sendBatch vector did not frame');
    const { batch } = decodeNativeFrame(split.frame) as Extract<NativeMessage, { type: 'sendBatch' }>;
    expect(validateProducedBatch(batch, { produceVersion: 11 })).to.include({ ok: true });
    const { header, records } = decodeRecordBatch(batch);
    expect(header).to.include({ attributes: 0, producerId: -1n, recordCount: 1, baseTimestamp: 1000n });
    expect(records.map((r) => ({ key: r.key, value: r.value?.toString(), timestamp: r.timestamp, headers: r.headers })))
      .to.deep.equal([{ key: null, value: 'hi', timestamp: 1000n, headers: [] }]);
  });
});

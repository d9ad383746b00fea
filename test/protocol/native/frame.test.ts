import { expect } from 'chai';
import { decodeNativeFrame, encodeNativeMessage, UnknownFrameTypeError } from '../../../src/protocol/native/codec';
import { NATIVE_MAGIC, NativeFrameAccumulator, NativeFramingError, splitNativeFrame } from '../../../src/protocol/native/frame';
import { DecodeError } from '../../../src/protocol/primitives/decode-error';
import type { NativeMessage } from '../../../src/protocol/native/messages';

const SAMPLES: NativeMessage[] = [
  { type: 'connect', protocolVersion: 1, clientName: 'näive client', authToken: 'secret' },
  { type: 'connected', protocolVersion: 1, brokerId: 3, frameBytesMax: 16 << 20 },
  { type: 'lookup', topic: '/default/orders' },
  { type: 'lookupResult', redirect: true, brokerAddress: '127.0.0.1:9093', partitions: 0 },
  {
    type: 'createProducer', producerId: 9, topic: '/ns/t', producerName: 'p', accessMode: 'exclusive',
    schema: { type: 'json', definition: '{"type":"object"}' },
  },
  { type: 'producerCreated', producerId: 9, partitions: 4 },
  { type: 'closeProducer', producerId: 9 },
  { type: 'sendReceipt', producerId: 9, partition: 2, offsets: [10n, 11n, 12n] },
  {
    type: 'message', consumerId: 7, partition: 2, offset: 2n ** 50n, publishTimeMs: -1n, key: Buffer.from('kéy'),
    headers: [{ key: 'ünicode', value: Buffer.alloc(3000, 1) }, { key: '', value: null }], payload: Buffer.alloc(5000, 9), redeliveryCount: 4,
  },
  { type: 'nack', consumerId: 1, ids: [{ partition: 1, offset: 2n }, { partition: 0, offset: 2n ** 40n }] },
  { type: 'closeConsumer', consumerId: 1 },
  { type: 'pong' },
  { type: 'activeConsumerChange', consumerId: 4, active: true },
  { type: 'success' },
  { type: 'admin', operation: 'topics.list', request: '{"namespace":"default"}' },
  { type: 'adminResult', result: '{"topics":[]}' },
];

describe('Native frames', () => {
  for (const message of SAMPLES) {
    it(`round-trips a ${message.type} frame`, () => {
      const bytes = encodeNativeMessage(message, 42);
      const split = splitNativeFrame(bytes, 1 << 20);
      if (split.kind !== 'frame') throw new Error('did not frame');
      expect(split.consumedBytes).to.equal(bytes.length);
      expect(split.frame.requestId).to.equal(42);
      expect(decodeNativeFrame(split.frame)).to.deep.equal(message);
    });
  }

  it('round-trips a SEND far larger than the encoder\'s first buffer, fields landing on every growth boundary', () => {
    for (let n = 1; n < 80; n++) {
      const messages = Array.from({ length: n }, (_, i) => ({
        key: i % 2 ? Buffer.from(`k${i}`) : null, timestampMs: BigInt(i) * 1_000_000_007n,
        headers: [{ key: `h${i}`, value: Buffer.alloc(i % 5, i) }], payload: Buffer.alloc((i * 37) % 300, 7),
      }));
      const message = { type: 'send' as const, producerId: n, partition: 0, messages };
      const split = splitNativeFrame(encodeNativeMessage(message, n), 1 << 24);
      if (split.kind !== 'frame') throw new Error('did not frame');
      expect(decodeNativeFrame(split.frame)).to.deep.equal(message);
    }
  });

  it('starts every frame with a byte no Kafka request can start with', () => {
    expect(NATIVE_MAGIC).to.be.at.least(0x80);
    expect(encodeNativeMessage({ type: 'ping' }, 1)[0]).to.equal(NATIVE_MAGIC);
  });

  it('gives the same frames whatever the byte boundaries of the input', () => {
    const stream = Buffer.concat(SAMPLES.map((m, i) => encodeNativeMessage(m, i)));
    for (let cut = 0; cut <= stream.length; cut++) {
      const acc = new NativeFrameAccumulator(1 << 20);
      const seen: NativeMessage[] = [];
      for (const part of [stream.subarray(0, cut), stream.subarray(cut)]) {
        acc.push(part);
        for (let f = acc.next(); f !== null; f = acc.next()) seen.push(decodeNativeFrame(f));
      }
      expect(seen, `cut at ${cut}`).to.deep.equal(SAMPLES);
    }
  });

  it('asks for more bytes until the prefix and then the whole frame are there', () => {
    const bytes = encodeNativeMessage({ type: 'ping' }, 1);
    expect(splitNativeFrame(bytes.subarray(0, 3), 100)).to.deep.equal({ kind: 'need', totalBytes: 5 });
    expect(splitNativeFrame(bytes.subarray(0, 7), 100)).to.deep.equal({ kind: 'need', totalBytes: 10 });
  });

  it('refuses a length above the limit from the prefix alone, before buffering the body', () => {
    const prefix = Buffer.from([NATIVE_MAGIC, 0x01, 0x00, 0x00, 0x00]);
    expect(splitNativeFrame(prefix, 1024)).to.deep.equal({ kind: 'error', error: { reason: 'too-large', length: 0x01000000, frameBytesMax: 1024 } });
  });

  it('refuses a frame that does not start with the magic byte', () => {
    const acc = new NativeFrameAccumulator(1024);
    acc.push(Buffer.from([0x00, 0x00, 0x00, 0x10]));
    expect(() => acc.next()).to.throw(NativeFramingError, /not the native magic/);
  });

  it('refuses a length shorter than the header', () => {
    expect(splitNativeFrame(Buffer.from([NATIVE_MAGIC, 0, 0, 0, 4]), 1024)).to.deep.include({ kind: 'error' });
  });

  it('reports an unknown frame type with its code', () => {
    expect(() => decodeNativeFrame({ type: 0x7f, requestId: 1, body: Buffer.alloc(0) })).to.throw(UnknownFrameTypeError, /0x7f/);
  });

  it('refuses a truncated body, trailing bytes, a bad enum and invalid UTF-8 with a decode error', () => {
    const flow = encodeNativeMessage({ type: 'flow', consumerId: 1, permits: 2 }, 1);
    const frame = (body: Buffer, type = 0x0b) => ({ type, requestId: 1, body });
    expect(() => decodeNativeFrame(frame(flow.subarray(10, 15)))).to.throw(DecodeError, /needs 4 bytes/);
    expect(() => decodeNativeFrame(frame(Buffer.concat([flow.subarray(10), Buffer.from([0])])))).to.throw(DecodeError, /trailing/);
    expect(() => decodeNativeFrame(frame(Buffer.from([0, 0, 0, 1, 9, 0, 0, 0, 0]), 0x0d))).to.throw(DecodeError, /ack type code 9/);
    expect(() => decodeNativeFrame(frame(Buffer.from([0, 2, 0xc3, 0x28]), 0x03))).to.throw(DecodeError, /UTF-8/);
  });

  it('refuses an array count larger than the bytes that could hold it', () => {
    const body = Buffer.from([0, 0, 0, 1, 0, 0x7f, 0xff, 0xff, 0xff]);
    expect(() => decodeNativeFrame({ type: 0x0d, requestId: 1, body })).to.throw(DecodeError, /exceeds the \d+ bytes left/);
  });
});

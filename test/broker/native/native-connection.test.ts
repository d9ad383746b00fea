import { expect } from 'chai';
import { decodeNativeFrame, encodeNativeMessage } from '../../../src/protocol/native/codec';
import { NATIVE_ERRORS } from '../../../src/protocol/native/error-codes';
import type { NativeMessage } from '../../../src/protocol/native/messages';
import { NATIVE_LIMITS } from '../../../src/limits';
import { NativeHarness } from './support/native-harness';
import { RawClient } from './support/raw-client';

describe('Native connection on the shared listener', () => {
  let broker: NativeHarness;
  before(async () => {
    broker = await NativeHarness.start();
  });
  after(async () => {
    await broker.destroy();
  });

  async function connected(): Promise<RawClient> {
    const raw = await RawClient.open(broker.address);
    raw.write(encodeNativeMessage({ type: 'connect', protocolVersion: 1, clientName: 'raw', authToken: null }, 1));
    expect((await raw.next()).message).to.include({ type: 'connected', protocolVersion: 1 });
    return raw;
  }

  it('is recognised by its first byte and answers CONNECT with CONNECTED', async () => {
    const raw = await connected();
    raw.write(encodeNativeMessage({ type: 'ping' }, 9));
    expect(await raw.next()).to.deep.equal({ message: { type: 'pong' }, requestId: 9 });
    raw.socket.destroy();
  });

  it('refuses any frame before CONNECT with notConnected', async () => {
    const raw = await RawClient.open(broker.address);
    raw.write(encodeNativeMessage({ type: 'ping' }, 3));
    const reply = await raw.next();
    expect(reply.requestId).to.equal(3);
    expect(reply.message).to.include({ type: 'error', code: NATIVE_ERRORS.notConnected });
    raw.socket.destroy();
  });

  it('refuses an unsupported protocol version and closes', async () => {
    const raw = await RawClient.open(broker.address);
    raw.write(encodeNativeMessage({ type: 'connect', protocolVersion: 9, clientName: 'x', authToken: null }, 1));
    expect((await raw.next()).message).to.include({ type: 'error', code: NATIVE_ERRORS.unsupportedVersion });
    await raw.waitClosed();
  });

  it('answers an unknown frame type with an error and keeps the connection', async () => {
    const raw = await connected();
    raw.write(Buffer.from([0xb7, 0, 0, 0, 5, 0x7e, 0, 0, 0, 4]));
    const reply = await raw.next();
    expect(reply.requestId).to.equal(4);
    expect(reply.message).to.include({ type: 'error', code: NATIVE_ERRORS.unknownFrameType });
    raw.write(encodeNativeMessage({ type: 'ping' }, 5));
    expect((await raw.next()).message).to.deep.equal({ type: 'pong' });
    raw.socket.destroy();
  });

  it('answers a body that does not decode with malformedFrame and keeps the connection', async () => {
    const raw = await connected();
    raw.write(Buffer.from([0xb7, 0, 0, 0, 7, 0x03, 0, 0, 0, 6, 0x00, 0x09]));
    expect((await raw.next()).message).to.include({ type: 'error', code: NATIVE_ERRORS.malformedFrame });
    raw.write(encodeNativeMessage({ type: 'ping' }, 7));
    expect((await raw.next()).message).to.deep.equal({ type: 'pong' });
    raw.socket.destroy();
  });

  it('refuses an oversize frame from its prefix, says why and closes', async () => {
    const raw = await connected();
    raw.write(Buffer.from([0xb7, 0x7f, 0xff, 0xff, 0xff]));
    const reply = await raw.next();
    expect(reply.message).to.include({ type: 'error', code: NATIVE_ERRORS.malformedFrame });
    expect((reply.message as { message: string }).message).to.match(/exceeds the limit/);
    await raw.waitClosed();
  });

  it('refuses a SEND with more messages than sendMessagesMax, storing none of them', async () => {
    const raw = await connected();
    raw.write(encodeNativeMessage({
      type: 'createProducer', producerId: 1, topic: 'many', producerName: 'p', accessMode: 'shared', schema: { type: 'bytes', definition: null },
    }, 2));
    expect((await raw.next()).message).to.include({ type: 'producerCreated' });
    const messages = Array.from({ length: NATIVE_LIMITS.sendMessagesMax + 1 }, () => ({ key: null, timestampMs: 0n, headers: [], payload: Buffer.alloc(0) }));
    raw.write(encodeNativeMessage({ type: 'send', producerId: 1, partition: 0, messages }, 3));
    const reply = await raw.next();
    expect(reply.message).to.include({ type: 'error', code: NATIVE_ERRORS.invalidRequest });
    expect((reply.message as { message: string }).message).to.match(/at most 10000/);
    expect((await broker.services.partitions.get('many', 0)).highWatermark()).to.equal(0n);
    raw.socket.destroy();
  });

  it('survives random garbage after the magic byte without crashing the broker', async () => {
    for (let i = 0; i < 20; i++) {
      const raw = await RawClient.open(broker.address);
      const garbage = Buffer.from(Array.from({ length: 64 }, (_, j) => (j === 0 ? 0xb7 : Math.floor(Math.random() * 256))));
      raw.write(garbage);
      raw.socket.destroy();
    }
    const raw = await connected();
    raw.write(encodeNativeMessage({ type: 'ping' }, 1));
    expect((await raw.next()).message).to.deep.equal({ type: 'pong' });
    raw.socket.destroy();
  });
});

import { expect } from 'chai';
import { createServer, Server, Socket } from 'node:net';
import { ClientConnection } from '../../src/client/client-connection';
import { decodeNativeFrame, encodeNativeMessage } from '../../src/protocol/native/codec';
import { NATIVE_ERRORS } from '../../src/protocol/native/error-codes';
import { NativeFrameAccumulator } from '../../src/protocol/native/frame';
import { PROTOCOL_VERSION } from '../../src/protocol/native/messages';

/** A broker that speaks only protocol version 1, as brokers before SEND_BATCH do: it refuses 2 and closes. */
function versionOneBroker(asked: number[]): Server {
  return createServer((socket: Socket) => {
    const frames = new NativeFrameAccumulator(1 << 20);
    socket.on('data', (chunk: Buffer) => {
      frames.push(chunk);
      for (let f = frames.next(); f; f = frames.next()) {
        const m = decodeNativeFrame(f);
        if (m.type !== 'connect') continue;
        asked.push(m.protocolVersion);
        if (m.protocolVersion !== 1) {
          socket.end(encodeNativeMessage({ type: 'error', code: NATIVE_ERRORS.unsupportedVersion, message: 'speaks 1' }, f.requestId));
        } else {
          socket.write(encodeNativeMessage({ type: 'connected', protocolVersion: 1, brokerId: 4, frameBytesMax: 1 << 20 }, f.requestId));
        }
      }
    });
  });
}

describe('Native client connection: protocol version negotiation', () => {
  const asked: number[] = [];
  let server: Server;
  let address = '';
  before(async () => {
    server = versionOneBroker(asked);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    address = `127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  it('asks for the newest version and connects again with each older one down to version 1 for a broker that refuses them', async () => {
    asked.length = 0;
    const connection = await ClientConnection.open(address, { clientName: 't', authToken: null, requestTimeoutMs: 5000, protocolVersion: PROTOCOL_VERSION });
    expect(asked).to.deep.equal([4, 3, 2, 1]);
    expect(connection.protocolVersion).to.equal(1);
    expect(connection.brokerId).to.equal(4);
    connection.close();
  });

  it('asks only for version 1 when pinned to it', async () => {
    asked.length = 0;
    const connection = await ClientConnection.open(address, { clientName: 't', authToken: null, requestTimeoutMs: 5000, protocolVersion: 1 });
    expect(asked).to.deep.equal([1]);
    expect(connection.protocolVersion).to.equal(1);
    connection.close();
  });
});

import { expect } from 'chai';
import { connect, Socket } from 'node:net';
import { Listener } from '../../../src/broker/net/listener';
import { ConnectionHandle, ProtocolHandler, ProtocolRegistry } from '../../../src/broker/net/protocols';

/** Echoes what it reads, prefixed with its name; close() waits until `release()` is called or the client leaves. */
function echoProtocol(name: string, firstByte: number | null) {
  let release: () => void = () => undefined;
  const handler: ProtocolHandler = {
    name,
    claims: (b) => firstByte !== null && b === firstByte,
    accept(socket: Socket): ConnectionHandle {
      socket.on('data', (chunk: Buffer) => socket.write(`${name}:${chunk.toString()}`));
      return {
        close: () => new Promise<void>((resolve) => {
          if (socket.destroyed) return resolve();
          socket.once('close', () => resolve());
          release = () => {
            socket.end();
            resolve();
          };
        }),
      };
    },
  };
  return { handler, release: () => release() };
}

function talk(port: number, text: string): Promise<{ socket: Socket; reply: Promise<string> }> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => {
      const reply = new Promise<string>((done) => {
        let got = '';
        socket.on('data', (c: Buffer) => {
          got += c.toString();
          done(got);
        });
        socket.on('close', () => done(got));
      });
      socket.on('error', () => undefined);
      socket.write(text);
      resolve({ socket, reply });
    });
  });
}

describe('Listener', () => {
  it('hands a connection to the protocol that claims its first byte, with that byte still unread, and to the default otherwise', async () => {
    const kafka = echoProtocol('kafka', null);
    const native = echoProtocol('native', 0x4e);
    const protocols = new ProtocolRegistry(kafka.handler);
    protocols.register(native.handler);
    const listener = new Listener({ host: '127.0.0.1', port: 0, connectionsMax: 10, protocols });
    const { port } = await listener.start();
    const a = await talk(port, 'Nhello');
    const b = await talk(port, '\u0000\u0000kafka-ish');
    expect(await a.reply).to.equal('native:Nhello');
    expect(await b.reply).to.equal('kafka:\u0000\u0000kafka-ish');
    a.socket.destroy();
    b.socket.destroy();
    await listener.close();
  });

  it('closes connections beyond connectionsMax on accept and keeps the others', async () => {
    const kafka = echoProtocol('kafka', null);
    const listener = new Listener({ host: '127.0.0.1', port: 0, connectionsMax: 1, protocols: new ProtocolRegistry(kafka.handler) });
    const { port } = await listener.start();
    const first = await talk(port, 'one');
    expect(await first.reply).to.equal('kafka:one');
    const second = await talk(port, 'two');
    expect(await second.reply).to.equal('');
    expect(second.socket.destroyed || second.socket.readableEnded).to.equal(true);
    first.socket.destroy();
    await listener.close();
  });

  it('waits on shutdown for every connection to finish what it has read', async () => {
    const kafka = echoProtocol('kafka', null);
    const listener = new Listener({ host: '127.0.0.1', port: 0, connectionsMax: 10, protocols: new ProtocolRegistry(kafka.handler) });
    const { port } = await listener.start();
    const client = await talk(port, 'x');
    await client.reply;
    let closed = false;
    const closing = listener.close().then(() => {
      closed = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(closed).to.equal(false);
    kafka.release();
    await closing;
    expect(closed).to.equal(true);
  });
});

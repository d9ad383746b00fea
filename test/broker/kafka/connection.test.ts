import { expect } from 'chai';
import { AddressInfo, connect, createServer, Server, Socket } from 'node:net';
import { ConnectionContext, KafkaConnection, Reply, RequestDispatcher } from '../../../src/broker/kafka/connection';

/** Requests are "<delayMs> <text>"; the reply echoes the text after the delay; text "none" gets no reply. */
class DelayedEcho implements RequestDispatcher {
  dispatched: string[] = [];
  dispatch(frame: Buffer, _ctx: ConnectionContext): Promise<Reply> {
    const text = frame.toString();
    if (text === 'bad') throw new Error('does not parse');
    this.dispatched.push(text);
    const [delay, body] = text.split(' ');
    return new Promise((resolve) => setTimeout(() => resolve(body === 'none' ? null : [frameOf(body)]), Number(delay)));
  }
}

function frameOf(text: string): Buffer {
  const body = Buffer.from(text);
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length);
  return Buffer.concat([size, body]);
}

function readReplies(socket: Socket, count: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0);
    const out: string[] = [];
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 4 && buf.length >= 4 + buf.readInt32BE(0)) {
        out.push(buf.subarray(4, 4 + buf.readInt32BE(0)).toString());
        buf = buf.subarray(4 + buf.readInt32BE(0));
      }
      if (out.length === count) resolve(out);
    });
    socket.on('error', reject);
  });
}

describe('Kafka connection', () => {
  let server: Server;
  let port: number;
  let dispatcher: DelayedEcho;
  const limits = { frameBytesMax: 1024, inFlightRequestsMax: 3, inFlightBytesMax: 1 << 20, pendingWriteBytesMax: 1 << 20 };

  beforeEach(async () => {
    dispatcher = new DelayedEcho();
    server = createServer((socket) => new KafkaConnection(socket, dispatcher, limits));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterEach(() => new Promise<void>((resolve) => server.close(() => resolve())));

  function client(): Promise<Socket> {
    return new Promise((resolve) => {
      const socket = connect(port, '127.0.0.1', () => resolve(socket));
    });
  }

  it('answers several requests of one chunk in request order even when later ones finish first', async () => {
    const socket = await client();
    const replies = readReplies(socket, 3);
    socket.write(Buffer.concat([frameOf('60 a'), frameOf('30 b'), frameOf('0 c')]));
    expect(await replies).to.deep.equal(['a', 'b', 'c']);
    socket.destroy();
  });

  it('sends nothing for a request without a reply and keeps the order of the others', async () => {
    const socket = await client();
    const replies = readReplies(socket, 2);
    socket.write(Buffer.concat([frameOf('20 a'), frameOf('0 none'), frameOf('0 b')]));
    expect(await replies).to.deep.equal(['a', 'b']);
    socket.destroy();
  });

  it('stops reading past the in-flight request limit and resumes as replies go out', async () => {
    const socket = await client();
    const replies = readReplies(socket, 6);
    socket.write(Buffer.concat(['a', 'b', 'c', 'd', 'e', 'f'].map((t) => frameOf(`40 ${t}`))));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(dispatcher.dispatched).to.have.length(3);
    expect(await replies).to.deep.equal(['a', 'b', 'c', 'd', 'e', 'f']);
    socket.destroy();
  });

  it('stops reading past the in-flight byte limit', async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    server = createServer((socket) => new KafkaConnection(socket, dispatcher, { ...limits, inFlightRequestsMax: 100, inFlightBytesMax: 100 }));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
    const socket = await client();
    const replies = readReplies(socket, 3);
    socket.write(Buffer.concat(['a', 'b', 'c'].map((t) => frameOf(`40 ${t}${'.'.repeat(60)}`))));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(dispatcher.dispatched).to.have.length(2);
    expect((await replies).map((r) => r[0])).to.deep.equal(['a', 'b', 'c']);
    socket.destroy();
  });

  it('closes only the connection that sent an oversized frame or unparsable bytes', async () => {
    const good = await client();
    for (const bad of [Buffer.from([0x7f, 0, 0, 0]), frameOf('bad')]) {
      const socket = await client();
      const closed = new Promise((resolve) => socket.on('close', resolve));
      socket.on('error', () => undefined);
      socket.write(bad);
      await closed;
    }
    const replies = readReplies(good, 1);
    good.write(frameOf('0 still-here'));
    expect(await replies).to.deep.equal(['still-here']);
    good.destroy();
  });

  it('writes the replies that become ready together, through promise chains of any depth, in one socket write', async () => {
    let open: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    // Each reply waits on the same gate behind a chain as deep as its number, as appends released
    // by one WAL write reach their connection through handler chains of different depths.
    const chained: RequestDispatcher = {
      dispatch: (frame) => {
        let reply: Promise<unknown> = gate;
        for (let i = 0; i < Number(frame.toString()); i++) reply = reply.then(() => undefined);
        return reply.then(() => [frameOf(frame.toString())]);
      },
    };
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const writes: number[] = [];
    server = createServer((socket) => {
      const counted = socket as unknown as { _write: (...a: unknown[]) => void; _writev: (...a: unknown[]) => void };
      const [write, writev] = [counted._write.bind(socket), counted._writev.bind(socket)];
      counted._write = (...a) => { writes.push(1); write(...a); };
      counted._writev = (...a) => { writes.push((a[0] as unknown[]).length); writev(...a); };
      new KafkaConnection(socket, chained, { ...limits, inFlightRequestsMax: 10 });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
    const socket = await client();
    const replies = readReplies(socket, 4);
    socket.write(Buffer.concat(['3', '0', '5', '1'].map(frameOf)));
    await new Promise((resolve) => setTimeout(resolve, 20));
    open();
    expect(await replies).to.deep.equal(['3', '0', '5', '1']);
    expect(writes).to.deep.equal([4]);
    socket.destroy();
  });
});

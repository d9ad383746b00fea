import { expect } from 'chai';
import { connect, Socket } from 'node:net';
import { Kafka, logLevel } from 'kafkajs';
import { BrokerFixture, startTestBroker } from './support/broker-fixture';

function open(bootstrap: string): Promise<Socket> {
  const [host, port] = bootstrap.split(':');
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), host, () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Sends bytes and reports what came back before the broker closed the socket (or the wait ended). */
function exchange(socket: Socket, bytes: Buffer, waitMs = 2000): Promise<{ closed: boolean; reply: Buffer }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let settled = false;
    const finish = (closed: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ closed, reply: Buffer.concat(chunks) });
    };
    const timer = setTimeout(() => finish(false), waitMs);
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', () => undefined);
    socket.on('close', () => finish(true));
    socket.write(bytes);
  });
}

/** A request frame: size, api key, version, correlation id, client id "abuse", then body bytes. */
function request(apiKey: number, apiVersion: number, correlationId: number, body: Buffer = Buffer.alloc(0)): Buffer {
  const clientId = Buffer.from('abuse');
  const header = Buffer.alloc(10);
  header.writeInt16BE(apiKey, 0);
  header.writeInt16BE(apiVersion, 2);
  header.writeInt32BE(correlationId, 4);
  header.writeInt16BE(clientId.length, 8);
  const payload = Buffer.concat([header, clientId, body]);
  const size = Buffer.alloc(4);
  size.writeInt32BE(payload.length);
  return Buffer.concat([size, payload]);
}

describe('Broker under abusive clients', function () {
  this.timeout(30_000);
  let fixture: BrokerFixture;

  before(async () => {
    fixture = await startTestBroker();
  });

  after(async () => {
    await fixture?.stop();
  });

  async function stillServes(): Promise<void> {
    const kafka = new Kafka({ clientId: 'after-abuse', brokers: [fixture.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 0 } });
    const admin = kafka.admin();
    await admin.connect();
    expect(await admin.listTopics()).to.be.an('array');
    await admin.disconnect();
  }

  const closing: Array<[string, () => Buffer]> = [
    ['garbage bytes (an HTTP request)', () => Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n')],
    ['an absurd length prefix', () => Buffer.from([0x7f, 0xff, 0xff, 0xff, 1, 2, 3])],
    ['a negative length prefix', () => Buffer.from([0xff, 0xff, 0xff, 0xf0])],
    ['an unknown API key', () => request(9999, 0, 1)],
    ['a request truncated inside its header', () => Buffer.from([0, 0, 0, 5, 0, 3, 0, 1, 0])],
    ['a Metadata request with a version nobody has', () => request(3, 999, 2)],
    ['a Metadata body cut short', () => request(3, 4, 3, Buffer.from([0, 0, 0, 5, 0]))],
    ['a Produce v2 request (v0-v2 are advertised for librdkafka, KAFKA-18659, but not served)', () => request(0, 2, 4)],
  ];

  for (const [what, bytes] of closing) {
    it(`closes the connection that sends ${what} and keeps serving others`, async () => {
      const bystander = await open(fixture.bootstrap);
      const socket = await open(fixture.bootstrap);
      const { closed } = await exchange(socket, bytes());
      expect(closed).to.equal(true);
      expect(bystander.destroyed).to.equal(false);
      bystander.destroy();
      await stillServes();
    });
  }

  it('answers ApiVersions with an unsupported version with error 35 in a v0 body and the table of versions', async () => {
    const socket = await open(fixture.bootstrap);
    const { reply } = await exchange(socket, request(18, 99, 77), 500);
    socket.destroy();
    expect(reply.readInt32BE(0)).to.equal(reply.length - 4);
    expect(reply.readInt32BE(4)).to.equal(77);
    expect(reply.readInt16BE(8)).to.equal(35);
    const count = reply.readInt32BE(10);
    expect(count).to.be.greaterThan(0);
    const keys = Array.from({ length: count }, (_, i) => reply.readInt16BE(14 + i * 6));
    expect(keys).to.include(18);
  });

  it('advertises Produce from v0 (librdkafka compresses only then, KAFKA-18659) and the versions it serves for the rest', async () => {
    const socket = await open(fixture.bootstrap);
    const { reply } = await exchange(socket, request(18, 0, 78), 500);
    socket.destroy();
    expect(reply.readInt16BE(8)).to.equal(0);
    const count = reply.readInt32BE(10);
    const ranges = new Map(Array.from({ length: count }, (_, i) => [reply.readInt16BE(14 + i * 6), [reply.readInt16BE(16 + i * 6), reply.readInt16BE(18 + i * 6)]]));
    expect(ranges.get(0)![0]).to.equal(0);
    expect(ranges.get(0)![1]).to.be.at.least(9);
    expect(ranges.get(1)![0]).to.equal(4);
  });

  it('keeps serving other connections while one holds a half-sent request', async () => {
    const socket = await open(fixture.bootstrap);
    socket.write(request(3, 1, 5).subarray(0, 7));
    await stillServes();
    socket.destroy();
  });
});

import { expect } from 'chai';
import { connect, type Socket } from 'node:net';
import { Kafka, logLevel } from 'kafkajs';
import { BrokerFixture, startTestBroker } from './support/broker-fixture';
import { FuzzRandom, fuzzRequest, type FuzzRequest } from './support/request-fuzz';

/** The (api key, version) pairs the broker serves, from ApiVersions v0. */
async function servedVersions(bootstrap: string): Promise<Map<number, [number, number]>> {
  const socket = await open(bootstrap);
  const frame = Buffer.from([0, 0, 0, 10, 0, 18, 0, 0, 0, 0, 0, 1, 0, 0]);
  const [reply] = await exchange(socket, [frame], 1);
  socket.destroy();
  const served = new Map<number, [number, number]>();
  const count = reply.readInt32BE(6);
  for (let i = 0; i < count; i++) {
    const at = 10 + i * 6;
    served.set(reply.readInt16BE(at), [reply.readInt16BE(at + 2), reply.readInt16BE(at + 4)]);
  }
  return served;
}

function open(bootstrap: string): Promise<Socket> {
  const [host, port] = bootstrap.split(':');
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), host, () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Writes the frames and collects reply payloads (without size prefix) until `expected` came or the socket closed. */
function exchange(socket: Socket, frames: Buffer[], expected: number, waitMs = 10_000): Promise<Buffer[]> {
  return new Promise((resolve) => {
    const replies: Buffer[] = [];
    let pending = Buffer.alloc(0);
    const timer = setTimeout(() => finish(), waitMs);
    const finish = () => {
      clearTimeout(timer);
      socket.removeAllListeners('data');
      resolve(replies);
    };
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 4 && pending.length >= 4 + pending.readInt32BE(0)) {
        replies.push(pending.subarray(4, 4 + pending.readInt32BE(0)));
        pending = pending.subarray(4 + replies.at(-1)!.length);
      }
      if (replies.length >= expected) finish();
    });
    socket.on('error', () => undefined);
    socket.once('close', finish);
    for (const frame of frames) socket.write(frame);
  });
}

describe('Broker under hostile but well-formed Kafka requests', function () {
  this.timeout(120_000);
  let fixture: BrokerFixture;

  before(async () => {
    fixture = await startTestBroker();
  });

  after(async () => {
    await fixture?.stop();
  });

  it('answers every served request in order with its correlation id (those pipelined before an unserved one too) and keeps working', async () => {
    const served = await servedVersions(fixture.bootstrap);
    const isServed = (r: FuzzRequest) => {
      const range = served.get(r.apiKey);
      return range !== undefined && r.version >= range[0] && r.version <= range[1];
    };
    const random = new FuzzRandom(20261123);
    let answered = 0;
    let correlationId = 0;
    for (let round = 0; round < 60; round++) {
      // Up to 12 pipelined requests on a fresh connection, ending at the first unserved one (which closes it).
      const requests: FuzzRequest[] = [];
      while (requests.length < 12) {
        const request = fuzzRequest(random, ++correlationId);
        requests.push(request);
        if (!isServed(request)) break;
      }
      const socket = await open(fixture.bootstrap);
      const expected = requests.filter((r) => isServed(r) && r.answered).length;
      const replies = await exchange(socket, requests.map((r) => r.frame), expected);
      socket.destroy();
      const ids = replies.map((reply) => reply.readInt32BE(0));
      expect(ids, `round ${round}: ${requests.map((r) => `${r.apiKey}v${r.version}`).join(' ')}`)
        .to.deep.equal(requests.filter((r) => isServed(r) && r.answered).map((r) => r.correlationId));
      answered += replies.length;
    }
    expect(answered).to.be.above(300);

    const kafka = new Kafka({ clientId: 'after-fuzz', brokers: [fixture.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 2 } });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'after-fuzz', acks: -1, messages: [{ value: 'still here' }] });
    await producer.disconnect();
    const admin = kafka.admin();
    await admin.connect();
    expect((await admin.fetchTopicOffsets('after-fuzz'))[0].high).to.equal('1');
    await admin.disconnect();
  });
});

import { expect } from 'chai';
import { connect, ReceivedMessage } from '../../src/client';
import { NATIVE_LIMITS } from '../../src/limits';
import { BrokerFixture, startTestBroker } from './support/broker-fixture';

const ACK_TIMEOUT_MS = 300;

describe('Native Shared redelivery over real sockets (ack timeout, nack backoff)', function () {
  this.timeout(30_000);
  let fixture: BrokerFixture;

  before(async () => {
    fixture = await startTestBroker({ 'log.level': 'silent', 'native.ackTimeoutMs': String(ACK_TIMEOUT_MS) });
  });
  after(() => fixture.stop());

  it('delivers a message left unacked past the ack timeout again, with its redelivery count, and a nacked one after the backoff', async () => {
    const client = await connect({ bootstrap: fixture.bootstrap });
    try {
      const producer = await client.producer({ topic: 'redelivered' });
      const consumer = await client.subscribe({ topic: 'redelivered', subscription: 's', type: 'shared', initialPosition: 'earliest' });
      await Promise.all([producer.send('ignored'), producer.send('nacked'), producer.send('acked')]);
      const first: ReceivedMessage[] = [];
      while (first.length < 3) first.push((await consumer.receive(5000))!);
      const byPayload = new Map(first.map((m) => [m.payload.toString(), m]));
      await consumer.ack(byPayload.get('acked')!);
      const nackedAtMs = Date.now();
      await consumer.nack(byPayload.get('nacked')!);
      const again: Array<{ payload: string; redeliveryCount: number; afterMs: number }> = [];
      while (again.length < 2) {
        const m = await consumer.receive(5000);
        if (m === null) break;
        again.push({ payload: m.payload.toString(), redeliveryCount: m.redeliveryCount, afterMs: Date.now() - nackedAtMs });
        await consumer.ack(m);
      }
      expect(again.map((m) => [m.payload, m.redeliveryCount]).sort()).to.deep.equal([['ignored', 1], ['nacked', 1]]);
      // A nack is redelivered no sooner than the first backoff.
      expect(again.find((m) => m.payload === 'nacked')!.afterMs).to.be.at.least(NATIVE_LIMITS.nackBackoffMsMin);
      expect(await consumer.receive(ACK_TIMEOUT_MS * 3)).to.equal(null);
      const { subscriptions } = (await client.admin.call('subscriptions.list', { topic: 'redelivered' })) as { subscriptions: Array<{ redeliveries: number; backlog: number }> };
      expect(subscriptions[0]).to.include({ redeliveries: 2, backlog: 0 });
    } finally {
      await client.close();
    }
  });
});

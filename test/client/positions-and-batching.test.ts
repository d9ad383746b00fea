import { expect } from 'chai';
import { connect, Consumer, ReceivedMessage, TributaryClient } from '../../src/client';
import { batchesOf } from '../../src/protocol/kafka/record-batch';
import { BrokerFixture, startTestBroker } from '../e2e/support/broker-fixture';

async function take(consumer: Consumer, count: number): Promise<ReceivedMessage[]> {
  const got: ReceivedMessage[] = [];
  while (got.length < count) {
    const m = await consumer.receive(10_000);
    if (m === null) throw new Error(`received ${got.length} of ${count}`);
    got.push(m);
  }
  return got;
}

describe('Native client: initial positions, cumulative acks and batching with linger', function () {
  this.timeout(60_000);
  let fixture: BrokerFixture;
  let client: TributaryClient;

  before(async () => {
    fixture = await startTestBroker({ 'log.level': 'silent' });
    client = await connect({ bootstrap: fixture.bootstrap, clientName: 'positions' });
  });
  after(async () => {
    await client.close();
    await fixture.stop();
  });

  /** The record counts of the batches stored in partition 0 of the Kafka topic. */
  async function storedBatchSizes(kafkaTopic: string): Promise<number[]> {
    const { chunks } = await (await fixture.broker.services.partitions.get(kafkaTopic, 0)).read(0n, 64 << 20);
    return [...batchesOf(Buffer.concat(chunks))].map((b) => b.header.recordCount);
  }

  it('starts a new subscription at a given offset, and at the first message at or after a timestamp', async () => {
    const producer = await client.producer({ topic: 'positioned' });
    await Promise.all(Array.from({ length: 10 }, (_, i) => producer.send(`m${i}`, { timestampMs: 1_000_000n + BigInt(i) * 1000n })));
    const byOffset = await client.subscribe({ topic: 'positioned', subscription: 'from-7', type: 'exclusive', initialPosition: { offset: 7n } });
    expect((await take(byOffset, 3)).map((m) => m.payload.toString())).to.deep.equal(['m7', 'm8', 'm9']);
    const byTime = await client.subscribe({ topic: 'positioned', subscription: 'from-time', type: 'exclusive', initialPosition: { timestampMs: 1_004_500n } });
    const fromTime = await take(byTime, 5);
    expect(fromTime.map((m) => m.payload.toString())).to.deep.equal(['m5', 'm6', 'm7', 'm8', 'm9']);
    expect(fromTime[0].publishTimeMs).to.equal(1_005_000n);
    await Promise.all([byOffset.close(), byTime.close(), producer.close()]);
  });

  it('acks cumulatively: one ack of offset N acks everything up to N, and a new consumer resumes at N + 1', async () => {
    const producer = await client.producer({ topic: 'cumulative' });
    await Promise.all(Array.from({ length: 10 }, (_, i) => producer.send(`m${i}`)));
    const first = await client.subscribe({ topic: 'cumulative', subscription: 'c', type: 'failover', initialPosition: 'earliest', ackReceipts: true });
    const got = await take(first, 6);
    await first.ackCumulative(got[5]);
    const { subscriptions } = await client.admin.listSubscriptions('cumulative');
    expect(subscriptions[0]).to.include({ backlog: 4 });
    await first.close();
    const second = await client.subscribe({ topic: 'cumulative', subscription: 'c', type: 'failover' });
    expect((await take(second, 4)).map((m) => m.offset)).to.deep.equal([6n, 7n, 8n, 9n]);
    await Promise.all([second.close(), producer.close()]);
  });

  it('sends the messages of one linger period as one stored batch, and cuts batches at batchMessagesMax', async () => {
    const lingering = await client.producer({ topic: 'lingered', lingerMs: 50 });
    const offsets = await Promise.all(Array.from({ length: 25 }, (_, i) => lingering.send(`m${i}`)));
    expect(offsets.map((r) => r.offset)).to.deep.equal(Array.from({ length: 25 }, (_, i) => BigInt(i)));
    expect(await storedBatchSizes('lingered')).to.deep.equal([25]);
    const capped = await client.producer({ topic: 'capped', lingerMs: 50, batchMessagesMax: 10 });
    await Promise.all(Array.from({ length: 25 }, (_, i) => capped.send(`m${i}`)));
    expect(await storedBatchSizes('capped')).to.deep.equal([10, 10, 5]);
    await Promise.all([lingering.close(), capped.close()]);
  });
});

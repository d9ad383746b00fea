import { expect } from 'chai';
import { connect, ReceivedMessage, TributaryClient } from '../../src/client';
import { NativeHarness } from '../broker/native/support/native-harness';

async function until(condition: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('A broker restart in the middle of a Shared subscription', function () {
  this.timeout(60_000);

  it('leaves every message acked exactly once or redelivered, none lost', async () => {
    const broker = await NativeHarness.start();
    const total = 400;
    const clients: TributaryClient[] = [];
    const deliveries = new Map<bigint, number>();
    const acks = new Map<bigint, number>();
    const loops: Promise<void>[] = [];
    let paused = false;
    try {
      for (const name of ['w1', 'w2']) {
        const client = await connect({ bootstrap: broker.address, clientName: name, requestTimeoutMs: 5000 });
        clients.push(client);
        const consumer = await client.subscribe({
          topic: 'restart', subscription: 'jobs', type: 'shared', name, receiverQueueSize: 20, ackReceipts: true, initialPosition: 'earliest',
        });
        loops.push((async () => {
          for await (const m of consumer as AsyncIterable<ReceivedMessage>) {
            deliveries.set(m.offset, (deliveries.get(m.offset) ?? 0) + 1);
            while (paused) await new Promise((r) => setTimeout(r, 5));
            try {
              await consumer.ack(m);
              acks.set(m.offset, (acks.get(m.offset) ?? 0) + 1);
            } catch {
              // The ack was not confirmed (broker going down): the message must come back.
            }
          }
        })());
      }
      const producerClient = await connect({ bootstrap: broker.address, clientName: 'producer' });
      clients.push(producerClient);
      const producer = await producerClient.producer({ topic: 'restart' });
      await Promise.all(Array.from({ length: total }, (_, i) => producer.send(`job-${i}`)));

      await until(() => acks.size >= total / 3);
      paused = true;
      await broker.restart();
      paused = false;

      await until(() => acks.size === total);
      for (let offset = 0n; offset < BigInt(total); offset++) {
        const acked = acks.get(offset) ?? 0;
        expect(acked, `offset ${offset} acked`).to.be.at.least(1);
        if (acked > 1) expect(deliveries.get(offset)!, `offset ${offset} acked twice without redelivery`).to.be.greaterThan(1);
      }
      const key = broker.services.keys.subscription('restart', 'jobs');
      let markDelete = '';
      const deadline = Date.now() + 5000;
      while (markDelete !== String(total) && Date.now() < deadline) {
        markDelete = JSON.parse((await broker.services.store.get(key))!.value).partitions['0'].markDelete;
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(markDelete, 'persisted cursor covers every message').to.equal(String(total));
    } finally {
      await Promise.all(clients.map((c) => c.close()));
      await Promise.all(loops);
      await broker.destroy();
    }
  });
});

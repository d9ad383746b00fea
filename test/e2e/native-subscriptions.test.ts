import { expect } from 'chai';
import { connect, Consumer, ReceivedMessage, TributaryClient } from '../../src/client';
import { NativeHarness } from '../broker/native/support/native-harness';

/** Runs a consumer loop that records every delivery and acks (unless told to stop acking). */
class Worker {
  readonly deliveries: ReceivedMessage[] = [];
  readonly acked: bigint[] = [];
  acking = true;
  private loop: Promise<void>;
  constructor(readonly client: TributaryClient, readonly consumer: Consumer, onMessage?: (m: ReceivedMessage) => void) {
    this.loop = (async () => {
      for await (const m of consumer) {
        this.deliveries.push(m);
        onMessage?.(m);
        if (this.stopAt !== null && m.offset >= this.stopAt) this.acking = false;
        if (this.acking) {
          this.acked.push(m.offset);
          await consumer.ack(m).catch(() => undefined);
        }
      }
    })();
  }
  private stopAt: bigint | null = null;
  stopAckingAt(offset: bigint): void {
    this.stopAt = offset;
  }
  offsets(): bigint[] {
    return this.deliveries.map((m) => m.offset);
  }
  async stop(): Promise<void> {
    await this.consumer.close();
    await this.loop;
  }
}

async function until(condition: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

function range(n: number): bigint[] {
  return Array.from({ length: n }, (_, i) => BigInt(i));
}

function distinctSorted(offsets: bigint[]): bigint[] {
  return [...new Set(offsets)].sort((a, b) => (a < b ? -1 : 1));
}

describe('Native subscriptions over real sockets', function () {
  this.timeout(60_000);
  let broker: NativeHarness;
  const clients: TributaryClient[] = [];

  async function newClient(name: string): Promise<TributaryClient> {
    const c = await connect({ bootstrap: broker.address, clientName: name });
    clients.push(c);
    return c;
  }

  async function produce(topic: string, count: number, keyOf?: (i: number) => string): Promise<void> {
    const c = await newClient('producer');
    const p = await c.producer({ topic });
    await Promise.all(Array.from({ length: count }, (_, i) => p.send(`m${i}`, keyOf ? { key: keyOf(i) } : {})));
    await p.close();
  }

  before(async () => {
    broker = await NativeHarness.start();
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close().catch(() => undefined)));
  });
  after(async () => {
    await broker.destroy();
  });

  it('Shared: spreads messages over consumers; a consumer killed mid-stream loses nothing and its messages are redelivered', async () => {
    const topic = 'shared-kill';
    const workers: Worker[] = [];
    for (const name of ['a', 'b', 'c']) {
      const c = await newClient(name);
      workers.push(new Worker(c, await c.subscribe({ topic, subscription: 's', type: 'shared', name, receiverQueueSize: 20, initialPosition: 'earliest' })));
    }
    const victim = workers[1];
    victim.acking = false;
    await produce(topic, 300);
    await until(() => victim.deliveries.length >= 10);
    await victim.client.destroy();
    const survivors = [workers[0], workers[2]];
    await until(() => distinctSorted(survivors.flatMap((w) => w.offsets())).length === 300);
    const redelivered = survivors.flatMap((w) => w.deliveries).filter((m) => m.redeliveryCount > 0);
    expect(redelivered.length).to.be.at.least(victim.deliveries.length);
    expect(distinctSorted(redelivered.map((m) => m.offset))).to.include.members(victim.offsets());
    expect(survivors.every((w) => w.deliveries.length > 0)).to.equal(true);
    const admin = await newClient('admin');
    const { subscriptions } = await admin.admin.listSubscriptions(topic);
    expect(subscriptions[0].consumers.sort()).to.deep.equal(['a', 'c']);
  });

  it('Failover: the consumer with the best priority is active; when it dies the next is promoted and gets everything not acked', async () => {
    const topic = 'failover-promote';
    const workers: Worker[] = [];
    for (const [name, priority] of [['standby-2', 2], ['primary', 0], ['standby-1', 1]] as const) {
      const c = await newClient(name);
      workers.push(new Worker(c, await c.subscribe({ topic, subscription: 'f', type: 'failover', name, priority, receiverQueueSize: 10, initialPosition: 'earliest' })));
    }
    const [standby2, primary, standby1] = workers;
    primary.stopAckingAt(30n);
    await until(() => primary.consumer.isActive === true && standby1.consumer.isActive === false && standby2.consumer.isActive === false);
    await produce(topic, 100);
    await until(() => primary.deliveries.length >= 30);
    const ackedByPrimary = [...primary.acked];
    await until(() => primary.deliveries.length >= ackedByPrimary.length + 5);
    await primary.client.destroy();
    await until(() => standby1.consumer.isActive === true);
    await until(() => distinctSorted([...ackedByPrimary, ...standby1.offsets()]).length === 100);
    expect(standby2.deliveries).to.have.length(0);
    expect(standby1.deliveries[0].redeliveryCount).to.equal(1);
    const firstOffsetsOfStandby = standby1.offsets();
    expect(firstOffsetsOfStandby).to.deep.equal([...firstOffsetsOfStandby].sort((a, b) => (a < b ? -1 : 1)));
  });

  it('Key_Shared: each key always goes to the same consumer while membership is stable', async () => {
    const topic = 'key-shared';
    const owners = new Map<string, string>();
    const workers: Worker[] = [];
    for (const name of ['k1', 'k2', 'k3']) {
      const c = await newClient(name);
      const consumer = await c.subscribe({ topic, subscription: 'ks', type: 'key_shared', name, receiverQueueSize: 50, initialPosition: 'earliest' });
      workers.push(new Worker(c, consumer, (m) => {
        const key = m.key!.toString();
        expect(owners.get(key) ?? name, `key ${key}`).to.equal(name);
        owners.set(key, name);
      }));
    }
    await produce(topic, 400, (i) => `key-${i % 12}`);
    await until(() => workers.reduce((n, w) => n + w.deliveries.length, 0) >= 400);
    expect(owners.size).to.equal(12);
    expect(new Set(owners.values()).size).to.be.greaterThan(1);
    for (const w of workers) {
      const byKey = new Map<string, bigint[]>();
      for (const m of w.deliveries) byKey.set(m.key!.toString(), [...(byKey.get(m.key!.toString()) ?? []), m.offset]);
      for (const offsets of byKey.values()) expect(offsets).to.deep.equal([...offsets].sort((a, b) => (a < b ? -1 : 1)));
    }
  });

  it('Exclusive: a consumer killed mid-stream leaves its unacked messages for the next consumer', async () => {
    const topic = 'exclusive-kill';
    const c1 = await newClient('first');
    const firstConsumer = await c1.subscribe({ topic, subscription: 'x', type: 'exclusive', receiverQueueSize: 10, initialPosition: 'earliest' });
    const first: Worker = new Worker(c1, firstConsumer, (m) => {
      if (m.offset >= 19n) first.acking = false;
    });
    await produce(topic, 50);
    await until(() => first.deliveries.length >= 25);
    const acked = new Set(first.acked);
    await c1.destroy();
    const c2 = await newClient('second');
    const second = new Worker(c2, await c2.subscribe({ topic, subscription: 'x', type: 'exclusive', initialPosition: 'latest' }));
    await until(() => distinctSorted([...acked, ...second.offsets()]).length === 50);
    expect(Number(second.offsets()[0])).to.be.at.most(Math.max(...[...acked].map(Number)) + 1);
    expect(range(50)).to.deep.equal(distinctSorted([...acked, ...second.offsets()]));
  });
});

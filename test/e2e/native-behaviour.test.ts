import { expect } from 'chai';
import { connect as tcpConnect, createServer } from 'node:net';
import type { BrokerNode, ClusterView } from '../../src/broker/cluster/cluster-view';
import { connect, TributaryError } from '../../src/client';
import { NativeHarness } from '../broker/native/support/native-harness';

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('Native protocol behaviour', function () {
  this.timeout(30_000);

  it('flow control: a consumer that takes nothing holds no more than its permits, and gets the rest when it reads', async () => {
    const broker = await NativeHarness.start();
    const client = await connect({ bootstrap: broker.address });
    try {
      const producer = await client.producer({ topic: 'slow' });
      const consumer = await client.subscribe({ topic: 'slow', subscription: 's', type: 'shared', receiverQueueSize: 10, initialPosition: 'earliest' });
      await Promise.all(Array.from({ length: 2000 }, (_, i) => producer.send(`m${i}`)));
      await until(() => consumer.bufferedCount() === 10);
      await new Promise((r) => setTimeout(r, 200));
      expect(consumer.bufferedCount()).to.equal(10);
      let taken = 0;
      while (taken < 2000) {
        const m = (await consumer.receive(5000))!;
        expect(m.offset).to.equal(BigInt(taken));
        await consumer.ack(m);
        taken++;
        expect(consumer.bufferedCount()).to.be.at.most(10);
      }
    } finally {
      await client.close();
      await broker.destroy();
    }
  });

  it('non-reliable topics keep cursors in memory only: after a restart the subscription starts at the end', async () => {
    const broker = await NativeHarness.start();
    try {
      const client = await connect({ bootstrap: broker.address });
      await client.admin.createTopic('/default/ephemeral', { reliable: false });
      const producer = await client.producer({ topic: 'ephemeral' });
      const consumer = await client.subscribe({ topic: 'ephemeral', subscription: 'e', type: 'exclusive', initialPosition: 'earliest' });
      await producer.send('before');
      expect((await consumer.receive(5000))!.payload.toString()).to.equal('before');
      expect(await broker.services.store.get(broker.services.keys.subscription('ephemeral', 'e'))).to.equal(null);
      await client.close();
      await broker.restart();
      const again = await connect({ bootstrap: broker.address });
      const c2 = await again.subscribe({ topic: 'ephemeral', subscription: 'e', type: 'exclusive', initialPosition: 'latest' });
      const p2 = await again.producer({ topic: 'ephemeral' });
      await p2.send('after');
      expect((await c2.receive(5000))!.payload.toString()).to.equal('after');
      await again.close();
    } finally {
      await broker.destroy();
    }
  });

  it('serves a separately configured native-only port and closes Kafka connections there', async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port: p } = probe.address() as { port: number };
        probe.close(() => resolve(p));
      });
    });
    const broker = await NativeHarness.start({ listen: `127.0.0.1:${port}` });
    try {
      const client = await connect({ bootstrap: `127.0.0.1:${port}` });
      const producer = await client.producer({ topic: 'own-port' });
      expect((await producer.send('x')).offset).to.equal(0n);
      await client.close();
      const kafkaLike = tcpConnect({ host: '127.0.0.1', port });
      await new Promise((r) => kafkaLike.once('connect', r));
      kafkaLike.write(Buffer.from([0, 0, 0, 8, 0, 18, 0, 0, 0, 0, 0, 1]));
      await new Promise((r) => kafkaLike.once('close', r));
    } finally {
      await broker.destroy();
    }
  });

  it('refuses a new subscription past the broker\'s subscription limit, with a clear error', async () => {
    const broker = await NativeHarness.start({ tuning: { ackTimeoutMs: 2000, maxRedeliveries: 3, tickMs: 20, subscriptionsMax: 2 } });
    const client = await connect({ bootstrap: broker.address });
    try {
      await client.subscribe({ topic: 'lim', subscription: 'one', type: 'shared' });
      await client.subscribe({ topic: 'lim', subscription: 'two', type: 'shared' });
      const third = await client.subscribe({ topic: 'lim', subscription: 'three', type: 'shared' }).catch((e: unknown) => e);
      expect((third as TributaryError).codeName).to.equal('policyViolation');
      expect((third as Error).message).to.match(/already dispatches 2 subscriptions/);
      await client.subscribe({ topic: 'lim', subscription: 'one', type: 'shared' });
    } finally {
      await client.close();
      await broker.destroy();
    }
  });

  it('refuses a connection without the configured auth token', async () => {
    const broker = await NativeHarness.start({ authTokens: ['s3cret'] });
    try {
      const refused = await connect({ bootstrap: broker.address }).catch((e: unknown) => e);
      expect((refused as TributaryError).codeName).to.equal('authenticationFailed');
      const wrong = await connect({ bootstrap: broker.address, authToken: 'nope' }).catch((e: unknown) => e);
      expect((wrong as TributaryError).codeName).to.equal('authenticationFailed');
      const ok = await connect({ bootstrap: broker.address, authToken: 's3cret' });
      await ok.close();
    } finally {
      await broker.destroy();
    }
  });

  it('a non-owner redirects LOOKUP to the owner and refuses producers with notOwner; the client follows the redirect', async () => {
    const owner = await NativeHarness.start();
    let ownerNode: BrokerNode;
    const other = await NativeHarness.start({}, (self): ClusterView => ({
      clusterId: 'test-cluster', self,
      brokers: () => [self, ownerNode],
      controllerId: () => 1,
      leaderOf: (topic) => (topic === 'moved' ? 2 : self.nodeId),
      leaderEpochOf: () => 0,
    }));
    const [host, port] = owner.address.split(':');
    ownerNode = { nodeId: 2, host, port: Number(port), rack: null };
    try {
      const client = await connect({ bootstrap: other.address });
      const producer = await client.producer({ topic: 'moved' });
      expect((await producer.send('to the owner')).offset).to.equal(0n);
      expect(owner.services.topics.get('moved')).to.not.equal(undefined);
      expect(other.services.topics.get('moved')).to.equal(undefined);
      const direct = await client.connectionTo(other.address);
      const refused = await direct.request({
        type: 'createProducer', producerId: 999, topic: 'moved', producerName: 'p', accessMode: 'shared', schema: { type: 'bytes', definition: null },
      }).catch((e: unknown) => e);
      expect((refused as TributaryError).codeName).to.equal('notOwner');
      await client.close();
    } finally {
      await other.destroy();
      await owner.destroy();
    }
  });
});


describe('Native writes while a topic has no serving broker', function () {
  this.timeout(30_000);

  it('refuses SEND with serviceNotReady while the topic has no leader (a handoff or failover) and the client delivers once it has one', async () => {
    let leader = 0;
    const broker = await NativeHarness.start({}, (self): ClusterView => ({
      clusterId: 'test-cluster', self,
      brokers: () => [self],
      controllerId: () => self.nodeId,
      leaderOf: () => (leader < 0 ? -1 : self.nodeId),
      leaderEpochOf: () => 0,
    }));
    try {
      const client = await connect({ bootstrap: broker.address });
      const producer = await client.producer({ topic: 'moving' });
      expect((await producer.send('before')).offset).to.equal(0n);
      leader = -1;
      const direct = await client.connectionTo(broker.address);
      const refused = await direct.request({
        type: 'createProducer', producerId: 998, topic: 'moving', producerName: 'p2', accessMode: 'shared', schema: { type: 'bytes', definition: null },
      }).catch((e: unknown) => e);
      expect((refused as TributaryError).codeName).to.equal('serviceNotReady');
      const sent = producer.send('during');
      await new Promise((r) => setTimeout(r, 300));
      expect((await broker.services.partitions.get('moving', 0)).highWatermark()).to.equal(1n);
      leader = 0;
      expect((await sent).offset).to.equal(1n);
      await client.close();
    } finally {
      await broker.destroy();
    }
  });
});

describe('Native dead letters and restarts', function () {
  this.timeout(30_000);

  it('moves a message nacked past maxRedeliveries to <topic>-<subscription>-DLQ, with its origin, and acks it', async () => {
    const broker = await NativeHarness.start({ tuning: { ackTimeoutMs: 60_000, maxRedeliveries: 2, tickMs: 20 } });
    const client = await connect({ bootstrap: broker.address });
    try {
      const producer = await client.producer({ topic: 'poison' });
      await producer.send('bad', { key: 'p' });
      const consumer = await client.subscribe({ topic: 'poison', subscription: 'work', type: 'shared', initialPosition: 'earliest' });
      const counts: number[] = [];
      for (let i = 0; i < 3; i++) {
        const m = (await consumer.receive(5000))!;
        counts.push(m.redeliveryCount);
        await consumer.nack(m);
      }
      expect(counts).to.deep.equal([0, 1, 2]);
      const dlq = await client.subscribe({ topic: 'poison-work-DLQ', subscription: 'inspect', type: 'exclusive', initialPosition: 'earliest' });
      const dead = (await dlq.receive(5000))!;
      expect(dead.payload.toString()).to.equal('bad');
      expect(dead.key!.toString()).to.equal('p');
      expect(dead.headers.find((h) => h.key === 'tributary-dlq-origin')!.value!.toString()).to.equal('poison/0/0');
      expect(await consumer.receive(300)).to.equal(null);
      const { subscriptions } = await client.admin.listSubscriptions('poison');
      expect(subscriptions[0].backlog).to.equal(0);
    } finally {
      await client.close();
      await broker.destroy();
    }
  });

  it('a producer keeps working across a broker restart: it reconnects, looks up again and gets new offsets', async () => {
    const broker = await NativeHarness.start();
    const client = await connect({ bootstrap: broker.address, requestTimeoutMs: 5000 });
    try {
      const producer = await client.producer({ topic: 'survivor' });
      expect((await producer.send('one')).offset).to.equal(0n);
      await broker.restart();
      expect((await producer.send('two')).offset).to.equal(1n);
    } finally {
      await client.close();
      await broker.destroy();
    }
  });

  it('when a topic moves, its consumers are closed by the old owner and resume on the new one; producers follow', async () => {
    const newOwner = await NativeHarness.start();
    let ownerId = 1;
    let newOwnerNode: BrokerNode;
    const oldOwner = await NativeHarness.start({}, (self): ClusterView => ({
      clusterId: 'test-cluster', self,
      brokers: () => [self, newOwnerNode],
      controllerId: () => 1,
      leaderOf: (topic) => (topic === 'moving' ? ownerId : self.nodeId),
      leaderEpochOf: () => 0,
    }));
    const [host, port] = newOwner.address.split(':');
    newOwnerNode = { nodeId: 2, host, port: Number(port), rack: null };
    const client = await connect({ bootstrap: oldOwner.address });
    try {
      const producer = await client.producer({ topic: 'moving' });
      const consumer = await client.subscribe({ topic: 'moving', subscription: 'm', type: 'exclusive', initialPosition: 'earliest' });
      await producer.send('before the move');
      const before = (await consumer.receive(5000))!;
      expect(before.payload.toString()).to.equal('before the move');
      await consumer.ack(before);
      ownerId = 2;
      const receipt = await producer.send('after the move');
      expect(newOwner.services.topics.get('moving'), 'the producer followed the topic').to.not.equal(undefined);
      expect(receipt.offset).to.equal(0n);
      const after = (await consumer.receive(10_000))!;
      expect(after.payload.toString()).to.equal('after the move');
    } finally {
      await client.close();
      await oldOwner.destroy();
      await newOwner.destroy();
    }
  });

  it('deleting a topic drops its subscriptions and their persisted cursors', async () => {
    const broker = await NativeHarness.start();
    const client = await connect({ bootstrap: broker.address });
    try {
      const consumer = await client.subscribe({ topic: 'doomed', subscription: 'd', type: 'exclusive' });
      await consumer.close();
      const key = broker.services.keys.subscription('doomed', 'd');
      expect(await broker.services.store.get(key)).to.not.equal(null);
      await client.admin.deleteTopic('doomed');
      expect(await broker.services.store.get(key)).to.equal(null);
      expect((await client.admin.listTopics()).topics.map((t) => t.kafkaName)).to.not.include('doomed');
    } finally {
      await client.close();
      await broker.destroy();
    }
  });
});

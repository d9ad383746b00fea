import { expect } from 'chai';
import { connect, ReceivedMessage, TributaryClient } from '../../src/client';
import { BrokerCluster, sleep } from '../cluster/support/broker-cluster';
import { leadersOf, waitForLeader } from '../cluster/support/leaders';

const TOPIC = 'native-ha';

describe('Native client in a real cluster (etcd, brokers in their own processes) when the owner is killed', function () {
  this.timeout(90_000);
  let cluster: BrokerCluster;
  let client: TributaryClient;

  before(async () => {
    cluster = await BrokerCluster.start({ brokers: 2, env: { TRIBUTARY_TIER_UPLOAD_INTERVAL_MS: '200' } });
    // durability cloud: nothing acknowledged is lost when the owner's disk goes with it (README, cluster mode).
    await cluster.createTopic(TOPIC, 1, { durability: 'cloud' });
  });
  after(async () => {
    await client?.close();
    await cluster?.stop();
  });

  it('producers and a Shared consumer re-look-up and resume on the new owner; the cursor in etcd keeps acked messages acked and nothing is lost', async () => {
    client = await connect({ bootstrap: cluster.bootstrap, clientName: 'native-ha', requestTimeoutMs: 5000 });
    const producer = await client.producer({ topic: `/default/${TOPIC}` });
    const consumer = await client.subscribe({ topic: `/default/${TOPIC}`, subscription: 'ha', type: 'shared', initialPosition: 'earliest', ackReceipts: true });
    const received: ReceivedMessage[] = [];
    const ackedOffsets = new Set<bigint>();
    let ackBefore: bigint | null = null;
    const loop = (async () => {
      for await (const m of consumer) {
        received.push(m);
        if (ackBefore !== null && m.offset >= ackBefore) continue;
        await consumer.ack(m).then(() => ackedOffsets.add(m.offset), () => undefined);
      }
    })();
    const send = (from: number, to: number) => Promise.all(Array.from({ length: to - from }, (_, i) => producer.send(`m${from + i}`)));

    const first = await send(0, 50);
    while (ackedOffsets.size < 50) await sleep(20);
    const ackedBeforeKill = new Set(ackedOffsets);
    // The next ten stay unacked on the consumer when its broker dies.
    ackBefore = first[49].offset + 1n;
    await send(50, 60);
    while (received.length < 60) await sleep(20);

    const owner = (await leadersOf(cluster, TOPIC)).get(0)!;
    const survivor = cluster.brokers.find((b) => b.id !== owner)!.id;
    await cluster.signal(owner, 'SIGKILL');
    await waitForLeader(cluster, TOPIC, 0, (leader) => leader === survivor, [`127.0.0.1:${cluster.broker(survivor).port}`]);
    ackBefore = null;
    const after = await send(60, 100);
    expect(after.map((r) => r.offset)).to.deep.equal(after.map((_, i) => first[0].offset + 60n + BigInt(i)));

    const deadline = Date.now() + 30_000;
    while (ackedOffsets.size < 100 && Date.now() < deadline) await sleep(50);
    expect(ackedOffsets.size, 'every message acked once the consumer resumed').to.equal(100);
    const redelivered = received.filter((m) => m.redeliveryCount > 0 || received.indexOf(m) >= 60).map((m) => m.offset);
    // Acked (and persisted) before the kill: never delivered again by the new owner.
    expect(redelivered.filter((o) => ackedBeforeKill.has(o))).to.deep.equal([]);
    // The ten left unacked on the dead owner came again from the new one.
    const unacked = Array.from({ length: 10 }, (_, i) => first[0].offset + 50n + BigInt(i));
    for (const offset of unacked) expect(received.filter((m) => m.offset === offset), `offset ${offset}`).to.have.length.at.least(2);
    const payloads = new Set(received.map((m) => m.payload.toString()));
    expect(payloads.size).to.equal(100);
    await consumer.close();
    await loop;
  });
});

import { expect } from 'chai';
import { BrokerCluster, sleep } from './support/broker-cluster';
import { ConsumerLoop, ProducerLoop } from './support/traffic';

const TOPIC = 'cluster-move';
const PARTITIONS = 4;

interface Owner { partition: number; owner: number; leaderEpoch: number; pinned: boolean }

describe('tributary admin partition move in a running cluster', function () {
  this.timeout(90_000);
  let cluster: BrokerCluster;

  const admin = (args: string[]) => cluster.admin(args);
  const owners = async () => JSON.parse((await admin(['partitions', 'list', TOPIC])).stdout) as Owner[];
  const countOn = (list: Owner[], id: number) => list.filter((o) => o.owner === id).length;

  before(async () => {
    // Slow background uploads: the move itself must upload the durability local tail.
    cluster = await BrokerCluster.start({ brokers: 2, env: { TRIBUTARY_TIER_UPLOAD_INTERVAL_MS: '30000' } });
    await cluster.createTopic(TOPIC, PARTITIONS);
  });

  after(async () => {
    await cluster?.stop();
  });

  it('hands the partition over under load at epoch + 1, keeps it there against rebalancing, and loses no acknowledged message', async () => {
    const producer = new ProducerLoop(cluster.kafka('move-producer'), TOPIC, PARTITIONS, 10);
    const consumer = new ConsumerLoop(cluster.kafka('move-consumer'), TOPIC, 'move-group');
    await consumer.start();
    await producer.start();
    while (producer.acked.length < 5 * PARTITIONS) await sleep(50);
    const before = await owners();
    expect([countOn(before, 1), countOn(before, 2)]).to.deep.equal([2, 2]);
    const moved = before.find((o) => o.owner === 1)!;

    const { stdout, stderr } = await admin(['partition', 'move', TOPIC, String(moved.partition), '--to', '2']);
    const movedAtMs = Date.now();
    console.log(`      the move took ${(JSON.parse(stdout) as { tookMs: number }).tookMs} ms (request to reassignment)`);
    expect(JSON.parse(stdout)).to.include({ topic: TOPIC, partition: moved.partition, from: 1, owner: 2,
      leaderEpoch: moved.leaderEpoch + 1, moved: true, pinned: true, via: 'handoff' });
    expect(stderr).to.match(/handoff requested/).and.match(/broker 2 owns it at leader epoch/);

    // 1 / 3 is two apart: the rebalancer evens it out with another partition, never the moved one.
    let after = await owners();
    while (countOn(after, 1) < 2) {
      expect(Date.now() - movedAtMs, 'the rebalancer to even the counts out').to.be.below(30_000);
      await sleep(500);
      after = await owners();
    }
    expect(after.find((o) => o.partition === moved.partition)).to.include({ owner: 2, leaderEpoch: moved.leaderEpoch + 1, pinned: true });

    const acked = producer.acked.length;
    while (producer.acked.length < acked + 3 * PARTITIONS) await sleep(50);
    await producer.stop();
    expect(new Set(producer.acked.filter((a) => a.atMs > movedAtMs).map((a) => a.partition)).size).to.equal(PARTITIONS);
    await consumer.waitFor(producer.acked.map((a) => a.value), 45_000);
    await consumer.stop();

    // The moved partition continues at the old owner's end: every acknowledged offset is still there.
    const kafkaAdmin = cluster.kafka().admin();
    await kafkaAdmin.connect();
    const ends = await kafkaAdmin.fetchTopicOffsets(TOPIC);
    await kafkaAdmin.disconnect();
    for (const { partition, high } of ends) {
      expect(Number(high), `end offset of partition ${partition}`).to.be.at.least(producer.acked.filter((a) => a.partition === partition).length);
    }
    const reader = new ConsumerLoop(cluster.kafka('move-reader'), TOPIC, 'move-reader-group');
    await reader.start();
    await reader.waitFor(producer.acked.map((a) => a.value), 30_000);
    await reader.stop();
  });

  it('exits 1 with a clear message for an unknown broker or a partition already on the target, 2 for bad arguments', async () => {
    const [first] = await owners();
    const failure = (args: string[]) => admin(args).then(() => 'exited 0', (err: Error) => err.message);
    expect(await failure(['partition', 'move', TOPIC, String(first.partition), '9']))
      .to.match(/exited with 1: tributary: broker 9 is not registered \(unknown, or not running\); registered brokers: 1, 2\n$/);
    expect(await failure(['partition', 'move', TOPIC, String(first.partition), String(first.owner)]))
      .to.match(new RegExp(`exited with 1: tributary: ${TOPIC}-${first.partition} is already on broker ${first.owner} \\(leader epoch \\d+\\): nothing to move\\n$`));
    expect(await failure(['partition', 'move', TOPIC, String(first.partition), '1', '--to', '2']))
      .to.match(/exited with 2: tributary: conflicting arguments: BROKER_ID 1 and --to 2 disagree/);
    expect(await failure(['partition', 'move', TOPIC, 'x', '2'])).to.match(/exited with 2: tributary: PARTITION must be a non-negative integer, not x\n/);
    expect(await failure(['partition', 'move', TOPIC, '0'])).to.match(/exited with 2: tributary: BROKER_ID must be a non-negative integer \(missing\)\n/);
  });
});

describe('tributary admin partition move in a cluster without an object store', function () {
  this.timeout(60_000);
  let cluster: BrokerCluster;

  before(async () => {
    cluster = await BrokerCluster.start({ brokers: 2, env: { TRIBUTARY_TIER_OBJECT_STORE: '', TRIBUTARY_TIER_ENABLED: 'false' } });
    await cluster.createTopic(TOPIC, 2);
  });

  after(async () => {
    await cluster?.stop();
  });

  it('refuses the move (the owner has nowhere to upload) and with --force bumps the epoch directly', async () => {
    const [first] = JSON.parse((await cluster.admin(['partitions', 'list', TOPIC])).stdout) as Owner[];
    const other = first.owner === 1 ? 2 : 1;
    const refused = await cluster.admin(['partition', 'move', TOPIC, String(first.partition), String(other)]).then(() => 'exited 0', (err: Error) => err.message);
    expect(refused).to.match(new RegExp(`exited with 1: [^]*handoff requested[^]*\\ntributary: broker ${first.owner} refused to hand ${TOPIC}-${first.partition} off: `
      + `no object store configured on broker ${first.owner}: nothing to upload the partition to; it serves the partition again\\. .*use --force to accept that\\n$`));
    const unchanged = JSON.parse((await cluster.admin(['partitions', 'list', TOPIC])).stdout) as Owner[];
    expect(unchanged.find((o) => o.partition === first.partition)).to.include({ owner: first.owner, leaderEpoch: first.leaderEpoch, pinned: false });

    const forced = JSON.parse((await cluster.admin(['partition', 'move', TOPIC, String(first.partition), String(other), '--force'])).stdout) as Record<string, unknown>;
    expect(forced).to.include({ from: first.owner, owner: other, leaderEpoch: first.leaderEpoch + 1, via: 'forced', pinned: true });
    const after = JSON.parse((await cluster.admin(['partitions', 'list', TOPIC])).stdout) as Owner[];
    expect(after.find((o) => o.partition === first.partition)).to.include({ owner: other, leaderEpoch: first.leaderEpoch + 1, pinned: true });
  });
});

import { expect } from 'chai';
import { EtcdMetadataStore } from '../../src/coordination/etcd/etcd-store';
import { clusterKeys } from '../../src/coordination/keys';
import { loadDescriptors } from '../../src/storage/tier/descriptor';
import { idempotentBatch, RawKafka } from '../e2e/idempotence-raw';
import { run } from '../e2e/support/run';
import { BrokerCluster, sleep } from './support/broker-cluster';
import { waitForLeader } from './support/leaders';

const TOPIC = 'cluster-fencing';
const NOT_LEADER_OR_FOLLOWER = 6;
/** Large batches keep the owner's cloud commit cycles long, so the pause likely catches one mid-way (collected, not yet recorded). */
const STREAM_VALUE_BYTES = 256 * 1024;
const STREAM_IN_FLIGHT = 8;

/** A plain (non-idempotent) one-record batch. */
const plainBatch = (value: string) => idempotentBatch(-1n, -1, -1, value);
const streamValue = (i: number) => `stream-${String(i).padStart(5, '0')}-`.padEnd(STREAM_VALUE_BYTES, 'x');

/** Pipelined produces of large batches to one broker until stopped; every answer is kept. */
class ProduceStream {
  readonly answers = new Map<string, number>();
  private stopped = false;
  private readonly lanes: Promise<void>[] = [];
  private next = 0;

  constructor(private readonly raw: RawKafka) {
    for (let lane = 0; lane < STREAM_IN_FLIGHT; lane++) this.lanes.push(this.lane());
  }

  /** Sends no more; resolves once every request sent has its answer. */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.lanes);
  }

  private async lane(): Promise<void> {
    while (!this.stopped) {
      const value = streamValue(this.next++);
      this.answers.set(value.slice(0, 13), (await this.raw.produce(TOPIC, 0, plainBatch(value))).errorCode);
    }
  }
}

/** Keys of the object descriptors a broker recorded, from etcd. */
async function descriptorsOf(store: EtcdMetadataStore, brokerId: number): Promise<string[]> {
  return (await loadDescriptors(store, clusterKeys('/tributary'))).filter((d) => d.descriptor.brokerId === brokerId).map((d) => d.descriptor.key).sort();
}

describe('a broker paused past its lease (SIGSTOP)', function () {
  this.timeout(90_000);
  let cluster: BrokerCluster;
  let store: EtcdMetadataStore;

  before(async () => {
    cluster = await BrokerCluster.start({ brokers: 3, env: { TRIBUTARY_TIER_UPLOAD_INTERVAL_MS: '200' } });
    store = EtcdMetadataStore.connect(cluster.etcd.endpoints);
    await cluster.createTopic(TOPIC, 1, { durability: 'cloud' });
  });

  after(async () => {
    await store?.close();
    await cluster?.stop();
  });

  it('cannot write once resumed: it answers NOT_LEADER_OR_FOLLOWER, records no object, and the successor serves every acknowledged record', async () => {
    const owner = await waitForLeader(cluster, TOPIC, 0, (leader) => leader > 0);
    const raw = await RawKafka.connect(cluster.broker(owner).port);
    const streamRaw = await RawKafka.connect(cluster.broker(owner).port);
    try {
      expect((await raw.produce(TOPIC, 0, plainBatch('before-pause'))).errorCode).to.equal(0);
      const stream = new ProduceStream(streamRaw);
      await sleep(500);

      await cluster.signal(owner, 'SIGSTOP');
      const stopping = stream.stop();
      const others = cluster.bootstrap.filter((b) => b !== `127.0.0.1:${cluster.broker(owner).port}`);
      const successor = await waitForLeader(cluster, TOPIC, 0, (leader) => leader > 0 && leader !== owner, others);
      const producer = cluster.kafka('fencing-producer', others, 3000).producer();
      await producer.connect();
      await producer.send({ topic: TOPIC, messages: [{ value: 'written-by-successor', partition: 0 }] });
      await producer.disconnect();
      const recordedBeforeResume = await descriptorsOf(store, owner);

      await cluster.signal(owner, 'SIGCONT');
      const refused = await raw.produce(TOPIC, 0, plainBatch('from-the-paused-owner'));
      expect(refused.errorCode).to.equal(NOT_LEADER_OR_FOLLOWER);
      await stopping;
      // Upload cycles the pause interrupted have finished (or been fenced) by now: 200 ms intervals.
      await sleep(2000);
      expect(await descriptorsOf(store, owner), 'objects recorded by the resumed owner').to.deep.equal(recordedBeforeResume);

      const { stdout } = await run('kcat', ['-b', `127.0.0.1:${cluster.broker(successor).port}`, '-C', '-t', TOPIC, '-p', '0',
        '-o', 'beginning', '-e', '-q', '-f', '%o %s\n'], '', 60_000);
      const lines = stdout.trim().split('\n').map((line) => line.slice(0, 40).replace(/x+$/, ''));
      expect(lines.map((line) => Number(line.split(' ')[0])), 'offsets').to.deep.equal(lines.map((_, i) => i));
      const values = lines.map((line) => line.slice(line.indexOf(' ') + 1));
      expect(values[0]).to.equal('before-pause');
      expect(values[values.length - 1]).to.equal('written-by-successor');
      const acknowledged = [...stream.answers].filter(([, code]) => code === 0).map(([value]) => value);
      expect(acknowledged.length, 'stream produces acknowledged before the pause').to.be.above(0);
      expect(values.filter((v) => v.startsWith('stream-')), 'every acknowledged stream record, in order').to.include.members(acknowledged);
      expect(values).to.not.include('from-the-paused-owner');
    } finally {
      raw.close();
      streamRaw.close();
    }
    // The resumed broker registers again under a new lease and is listed once more.
    await cluster.waitForBrokers(3);
  });
});

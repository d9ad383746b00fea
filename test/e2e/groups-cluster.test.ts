import { expect } from 'chai';
import { BrokerCluster } from '../cluster/support/broker-cluster';
import { CodecClient } from './groups-codec-client';
import { eventually } from './groups-harness';

const GROUPS = Array.from({ length: 30 }, (_, i) => `spread-${i}`);

async function coordinators(port: number, keys: string[]): Promise<Map<string, number>> {
  const client = await CodecClient.connect(port);
  try {
    const found = await client.request(10, 4, { keyType: 0, coordinatorKeys: keys });
    return new Map(found.coordinators.map((c: { key: string; nodeId: number; errorCode: number }) => [c.key, c.errorCode === 0 ? c.nodeId : -1]));
  } finally {
    client.close();
  }
}

describe('Group coordinators in a three-broker cluster (e2e)', function () {
  this.timeout(90_000);
  let cluster: BrokerCluster;

  before(async () => { cluster = await BrokerCluster.start({ brokers: 3 }); });
  after(async () => cluster.stop());

  it('spreads groups over every broker, moves a group when its coordinator dies, and serves its offsets from the new one', async () => {
    const [first, second] = cluster.brokers;
    const fromFirst = await coordinators(first.port, GROUPS);
    expect(new Set(fromFirst.values())).to.deep.equal(new Set([1, 2, 3]));
    expect(await coordinators(second.port, GROUPS)).to.deep.equal(fromFirst);

    const kafka = cluster.kafka('groups-cluster');
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'moving', numPartitions: 3 }] });
    const groupId = GROUPS.find((g) => fromFirst.get(g) === 3) as string;
    await admin.setOffsets({ groupId, topic: 'moving', partitions: [{ partition: 0, offset: '5' }, { partition: 2, offset: '-2' }] });
    await admin.disconnect();

    await cluster.signal(3, 'SIGKILL');
    await eventually(async () => {
      const now = (await coordinators(first.port, [groupId])).get(groupId);
      return now === 1 || now === 2;
    }, 30_000, 'the group moves to a live broker');
    const survivor = cluster.kafka('groups-cluster-after', [`127.0.0.1:${first.port}`, `127.0.0.1:${second.port}`]).admin();
    await survivor.connect();
    const [fetched] = await survivor.fetchOffsets({ groupId, topics: ['moving'] });
    await survivor.disconnect();
    expect(Object.fromEntries(fetched.partitions.map((p) => [p.partition, p.offset]))).to.deep.equal({ 0: '5', 1: '-1', 2: '-2' });
  });
});

import { expect } from 'chai';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClusterLogOpener } from '../../../src/broker/cluster/cluster-log-opener';
import { SingleNodeCluster } from '../../../src/broker/cluster/cluster-view';
import type { PartitionLogOpener } from '../../../src/broker/partitions/partition-registry';
import type { PartitionRef } from '../../../src/broker/partitions/producer-state-hook';
import type { EffectiveTopicConfig } from '../../../src/broker/topics/topic-config';
import type { PartitionLog } from '../../../src/storage/partition-log';

const ORDERS = { topic: 'orders', topicId: '0b9e4c1e-6a3f-4c1a-9a57-3c1f0e7d2a10', partition: 1 };
const GONE = { topic: 'gone-topic', topicId: '7f1c2d3e-4b5a-4e6f-8a9b-0c1d2e3f4a5b', partition: 0 };

/** Records what the cluster opener asks of the storage underneath (the real one deletes WAL directories). */
class RecordingOpener implements PartitionLogOpener {
  readonly calls: string[] = [];

  async open(ref: PartitionRef): Promise<PartitionLog> {
    this.calls.push(`open ${ref.topic}-${ref.partition}`);
    return {} as PartitionLog;
  }

  async remove(ref: PartitionRef): Promise<void> {
    this.calls.push(`remove ${ref.topic}-${ref.partition}`);
  }
}

/** A view whose leader epoch the test moves. */
class EpochView extends SingleNodeCluster {
  epoch = 0;

  override leaderEpochOf(): number {
    return this.epoch;
  }
}

describe('Cluster log opener', () => {
  let dir: string;
  let inner: RecordingOpener;
  let view: EpochView;
  let opener: ClusterLogOpener;
  const config = {} as EffectiveTopicConfig;
  const markers = () => readdirSync(join(dir, 'cluster', 'epochs')).sort();

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tributary-cluster-opener-'));
    inner = new RecordingOpener();
    view = new EpochView('test-cluster', { nodeId: 1, host: '127.0.0.1', port: 9092, rack: null });
    opener = new ClusterLogOpener(inner, view, dir);
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps a local log written at the current leader epoch and discards one from an earlier ownership', async () => {
    await opener.open(ORDERS, config);
    await opener.open(ORDERS, config);
    view.epoch = 3;
    await opener.open(ORDERS, config);
    expect(inner.calls).to.deep.equal(['remove orders-1', 'open orders-1', 'open orders-1', 'remove orders-1', 'open orders-1']);
  });

  it('forgets the epoch marker of a removed partition', async () => {
    await opener.open(ORDERS, config);
    await opener.open(GONE, config);
    await opener.remove(GONE);
    expect(markers()).to.deep.equal([`${ORDERS.topicId}-1`]);
  });

  it('sweeps away the logs of topics deleted while the broker was away, keeping live topics and unnamed old markers', async () => {
    await opener.open(ORDERS, config);
    await opener.open(GONE, config);
    const unnamed = 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee-2';
    mkdirSync(join(dir, 'cluster', 'epochs'), { recursive: true });
    writeFileSync(join(dir, 'cluster', 'epochs', unnamed), '4');
    inner.calls.length = 0;
    expect(await opener.sweep(new Map([[ORDERS.topic, ORDERS.topicId]]))).to.equal(1);
    expect(inner.calls).to.deep.equal(['remove gone-topic-0']);
    expect(markers()).to.deep.equal([`${ORDERS.topicId}-1`, unnamed].sort());
  });

  it('leaves the directory of a name taken again by a new topic to that topic, dropping only the stale marker', async () => {
    await opener.open(GONE, config);
    inner.calls.length = 0;
    expect(await opener.sweep(new Map([[GONE.topic, '11111111-2222-4333-8444-555555555555']]))).to.equal(0);
    expect(inner.calls).to.deep.equal([]);
    expect(markers()).to.deep.equal([]);
  });
});

import { expect } from 'chai';
import { LoadReporter } from '../../../src/broker/cluster/load-reporter';
import { decodeBrokerLoad, listBrokerLoads } from '../../../src/coordination/broker-load';
import { EtcdMetadataStore } from '../../../src/coordination/etcd/etcd-store';
import type { PartitionLog } from '../../../src/storage/partition-log';
import { type EtcdServer, startEtcd } from '../../support/etcd';
import { ControllerFixture } from '../../coordination/controller-fixture';
import { eventually, sleep } from '../../coordination/helpers';

/** A led partition as the reporter reads it: only its high watermark. */
function ledLog(): { log: PartitionLog; advance(records: number): void } {
  let end = 0n;
  const log = { highWatermark: () => end } as unknown as PartitionLog;
  return { log, advance: (records) => { end += BigInt(records); } };
}

describe('Broker load reports and load-aware placement (etcd)', function () {
  this.timeout(30_000);
  let etcd: EtcdServer;
  let controllerClient: EtcdMetadataStore;
  let brokerClient: EtcdMetadataStore;
  let fixture: ControllerFixture;
  const reporters: LoadReporter[] = [];

  before(async () => {
    etcd = await startEtcd();
    controllerClient = EtcdMetadataStore.connect(etcd.endpoints);
    brokerClient = EtcdMetadataStore.connect(etcd.endpoints);
    fixture = new ControllerFixture('load', controllerClient, brokerClient, { movesPerRoundMax: 2, pauseMs: 100, brokerAgeMsMin: 600_000, handoffMsMax: 1500 });
  });
  after(async () => {
    for (const reporter of reporters) await reporter.stop();
    await fixture?.cleanup();
    await controllerClient?.close();
    await brokerClient?.close();
    await etcd?.stop();
  });

  it('publishes messages in per second under the broker lease, and places a new partition on the idler of two equally filled brokers', async () => {
    const keys = fixture.keys;
    const busy = ledLog();
    const idle = ledLog();
    const registrations = [];
    for (const [brokerId, led] of [[1, busy], [2, idle]] as const) {
      const registered = await fixture.broker(brokerId);
      registrations.push(registered);
      const reporter = new LoadReporter(brokerClient, keys, brokerId, { ledLogs: () => [led.log] }, () => registered.lease.id, 60_000);
      reporters.push(reporter);
      reporter.start();
    }
    await sleep(200);
    busy.advance(2000);
    idle.advance(20);
    await Promise.all(reporters.map((r) => r.report()));
    const loads = await listBrokerLoads(brokerClient, keys);
    expect(loads.get(1), 'broker 1 load').to.be.above(loads.get(2)!);
    expect(loads.get(2), 'broker 2 load').to.be.above(0);
    const stored = await brokerClient.get(keys.brokerLoad(1));
    expect(stored?.leaseId, 'under the registration lease').to.equal(registrations[0].lease.id);
    expect(decodeBrokerLoad(stored!.value)?.brokerId).to.equal(1);

    // Equal partition counts (none): lowest id would pick broker 1; load picks broker 2.
    await fixture.controller();
    await fixture.topic('first', 1);
    expect((await fixture.assignments()).find((a) => a.topic === 'first')?.brokerId).to.equal(2);
    // Count comes before load: broker 2 now has one partition more.
    await fixture.topic('second', 1);
    expect((await fixture.assignments()).find((a) => a.topic === 'second')?.brokerId).to.equal(1);

    await registrations[0].deregister();
    await eventually(async () => (await brokerClient.get(keys.brokerLoad(1))) === null, 5000, 'load report gone with the lease');
  });
});

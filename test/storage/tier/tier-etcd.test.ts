/**
 * The tier's records on a real etcd: descriptors, cuts and retention floors written by one
 * tier are what a restarted tier reads back; a cycle over more partitions than
 * rangesPerObjectMax splits into objects whose descriptors each fit etcd's value limit.
 */
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { EtcdMetadataStore } from '../../../src/coordination/etcd/etcd-store';
import { clusterKeys } from '../../../src/coordination/keys';
import { COORDINATION_LIMITS, TIER_LIMITS } from '../../../src/limits';
import { OpendalObjectStore } from '../../../src/storage/objects/opendal-store';
import { encodeDescriptor, loadDescriptors } from '../../../src/storage/tier/descriptor';
import { TierIndex } from '../../../src/storage/tier/tier-index';
import { saveCut, loadCuts } from '../../../src/storage/tier/tier-state';
import { Uploader } from '../../../src/storage/tier/uploader';
import { EtcdServer, startEtcd } from '../../support/etcd';
import { fakeBatch, fakeFormat, FakeLocalLog } from './fake-local-log';
import { source } from './tier-harness';

describe('tier records on etcd', function () {
  this.timeout(60_000);
  let etcd: EtcdServer;
  let store: EtcdMetadataStore;
  const keys = clusterKeys(`/tier-${randomBytes(4).toString('hex')}`);
  before(async () => {
    etcd = await startEtcd();
    store = EtcdMetadataStore.connect(etcd.endpoints);
  });
  after(async () => {
    await store?.close();
    await etcd?.stop();
  });

  it('records descriptors a restarted tier reads back, and splits a cycle over many partitions into objects that fit etcd', async () => {
    const objects = new OpendalObjectStore({ backend: 'memory' });
    const index = new TierIndex();
    const uploader = new Uploader({ objects, metadata: store, keys, brokerId: 3, index, format: fakeFormat });
    const partitions = TIER_LIMITS.rangesPerObjectMax + 10;
    const logs = Array.from({ length: partitions }, () => new FakeLocalLog());
    for (const log of logs) await log.append(fakeBatch(1, 0n, 10));
    const sources = logs.map((log, p) => source('wide', p, log));
    const first = await uploader.cycle(sources);
    expect(first!.ranges).to.have.length(TIER_LIMITS.rangesPerObjectMax);
    expect(uploader.backlog).to.equal(true);
    expect(Buffer.byteLength(encodeDescriptor(first!))).to.be.below(COORDINATION_LIMITS.valueBytesMax);
    await uploader.cycle(sources);
    expect(uploader.backlog).to.equal(false);

    await saveCut(store, keys, 'wide', 0, 0n);
    const reloaded = new TierIndex();
    for (const { descriptor, revision } of await loadDescriptors(store, keys)) reloaded.add(descriptor, revision);
    for (const cut of await loadCuts(store, keys)) reloaded.addCut(cut.topic, cut.partition, cut.offset, cut.revision);
    expect(reloaded.descriptors()).to.have.length(2);
    expect(logs.every((log, p) => p === 0 || reloaded.endOffset('wide', p) === log.highWatermark())).to.equal(true);
    expect(reloaded.view('wide', 0), 'the cut recorded after the upload removes its range').to.deep.equal([]);
  });
});

import { expect } from 'chai';
import { CloudRetention, RetentionPolicy } from '../../../src/storage/tier/cloud-retention';
import { fakeBatch, FakeLocalLog } from './fake-local-log';
import { openHarness, source, TierHarness } from './tier-harness';

describe('cloud retention', () => {
  let h: TierHarness;
  const policies = new Map<string, RetentionPolicy>();
  let now = 1_000_000;
  const retention = () => new CloudRetention({
    objects: h.objects, metadata: h.metadata, keys: h.keys, index: h.index,
    policyOf: async (topic) => policies.get(topic) ?? null, now: () => now, orphanGraceMs: 60_000,
  });

  beforeEach(async () => {
    h = await openHarness();
    policies.clear();
  });
  afterEach(async () => h.close());

  async function uploadRound(logs: Array<[string, FakeLocalLog]>, ts: bigint, batches = 3): Promise<void> {
    for (const [, log] of logs) for (let i = 0; i < batches; i++) await log.append(fakeBatch(2, ts, 500));
    await h.uploader.cycle(logs.map(([topic, log]) => source(topic, 0, log)));
  }

  it('expires objects older than retention.ms and keeps the log start where the survivors begin', async () => {
    policies.set('t', { retentionMs: 10_000, retentionBytes: -1 });
    const log = new FakeLocalLog();
    await uploadRound([['t', log]], 100n);
    await uploadRound([['t', log]], 200n);
    await uploadRound([['t', log]], BigInt(now));
    const result = await retention().runPass();
    expect(result.objectsDeleted).to.equal(2);
    expect(h.index.logStartOffset('t', 0)).to.equal(12n);
    expect(await h.objects.list('objects/')).to.have.length(1);
    expect(await h.metadata.list(h.keys.objectsPrefix)).to.have.length(1);
    await h.reopen();
    const again = retention();
    await again.loadState();
    expect(h.index.logStartOffset('t', 0)).to.equal(12n);
  });

  it('keeps a partition under retention.bytes, oldest objects first', async () => {
    policies.set('t', { retentionMs: -1, retentionBytes: 3000 });
    const log = new FakeLocalLog();
    for (let i = 0; i < 4; i++) await uploadRound([['t', log]], BigInt(now));
    await retention().runPass();
    const view = h.index.view('t', 0);
    expect(view.reduce((n, e) => n + e.range.bytes, 0)).to.be.at.most(3000);
    expect(view[view.length - 1].to).to.equal(log.highWatermark());
  });

  it('keeps an object while any partition in it still needs its range', async () => {
    policies.set('short', { retentionMs: 10, retentionBytes: -1 });
    policies.set('long', { retentionMs: -1, retentionBytes: -1 });
    const a = new FakeLocalLog();
    const b = new FakeLocalLog();
    await uploadRound([['short', a], ['long', b]], 100n);
    await uploadRound([['short', a]], BigInt(now));
    const result = await retention().runPass();
    expect(result.objectsDeleted).to.equal(0);
    expect(h.index.logStartOffset('short', 0)).to.equal(6n);
    expect(h.index.logStartOffset('long', 0)).to.equal(0n);
  });

  it('moves the log start only of partitions this broker owns, and still collects deleted topics', async () => {
    policies.set('t', { retentionMs: 10, retentionBytes: -1 });
    const log = new FakeLocalLog();
    await uploadRound([['t', log]], 100n);
    await uploadRound([['t', log]], BigInt(now));
    await uploadRound([['gone', new FakeLocalLog()]], BigInt(now));
    const notMine = new CloudRetention({
      objects: h.objects, metadata: h.metadata, keys: h.keys, index: h.index,
      policyOf: async (topic) => policies.get(topic) ?? null, now: () => now, owns: () => false,
    });
    expect((await notMine.runPass()).objectsDeleted).to.equal(1);
    expect(h.index.logStartOffset('t', 0)).to.equal(0n);
  });

  it('collects every object of a deleted topic', async () => {
    policies.set('kept', { retentionMs: -1, retentionBytes: -1 });
    await uploadRound([['gone', new FakeLocalLog()]], BigInt(now));
    await uploadRound([['kept', new FakeLocalLog()]], BigInt(now));
    expect((await retention().runPass()).objectsDeleted).to.equal(1);
    expect(h.index.view('gone', 0)).to.deep.equal([]);
    expect(h.index.view('kept', 0)).to.have.length(1);
  });

  it('deletes an unrecorded object only after the grace period', async () => {
    policies.set('t', { retentionMs: -1, retentionBytes: -1 });
    const orphan = `objects/1/${String(now).padStart(15, '0')}-00000000-deadbeef.tob`;
    await h.objects.put(orphan, Buffer.from('half an upload'));
    expect((await retention().runPass()).orphansDeleted).to.equal(0);
    now += 61_000;
    expect((await retention().runPass()).orphansDeleted).to.equal(1);
    expect(await h.objects.stat(orphan)).to.equal(null);
  });
});

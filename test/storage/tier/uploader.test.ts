import { expect } from 'chai';
import type { EmbeddedMetadataStore } from '../../../src/coordination/embedded/embedded-store';
import { verifyObject } from '../../../src/storage/tier/object-format';
import { Uploader } from '../../../src/storage/tier/uploader';
import { BlockCache } from '../../../src/storage/tier/block-cache';
import { TieredReader } from '../../../src/storage/tier/tiered-reader';
import { fakeBatch, fakeFormat, FakeLocalLog } from './fake-local-log';
import { openHarness, source, TierHarness } from './tier-harness';

async function fill(log: FakeLocalLog, count: number, ts = 1000n): Promise<void> {
  for (let i = 0; i < count; i++) await log.append(fakeBatch(1 + (i % 3), ts + BigInt(i)));
}

async function readAll(h: TierHarness, topic: string, partition: number, from: bigint): Promise<Buffer[]> {
  const reader = new TieredReader(h.index, new BlockCache(h.objects));
  const out: Buffer[] = [];
  let offset = from;
  for (;;) {
    const result = await reader.read(topic, partition, offset, 3000);
    if (!result || result.chunks.length === 0) return out;
    out.push(...result.chunks);
    offset = result.nextOffset;
  }
}

describe('tier uploader', () => {
  let h: TierHarness;
  beforeEach(async () => { h = await openHarness(); });
  afterEach(async () => h.close());

  it('writes one object for every partition with new data, records it, and reads every batch back', async () => {
    const logs = [new FakeLocalLog(), new FakeLocalLog(), new FakeLocalLog()];
    await fill(logs[0], 40);
    await fill(logs[2], 7);
    const uploaded: bigint[] = [];
    const descriptor = await h.uploader.cycle(logs.map((log, p) => source('orders', p, log, uploaded)));
    expect(h.objects.puts).to.equal(1);
    expect(descriptor!.ranges.map((r) => [r.partition, r.baseOffset, r.endOffset])).to.deep.equal([
      [0, 0n, logs[0].highWatermark()], [2, 0n, logs[2].highWatermark()],
    ]);
    expect(await h.metadata.get(h.keys.object(descriptor!.key))).to.not.equal(null);
    expect(uploaded).to.deep.equal([logs[0].highWatermark(), logs[2].highWatermark()]);
    for (const p of [0, 2]) {
      expect((await readAll(h, 'orders', p, 0n)).map((b) => b.toString('hex'))).to.deep.equal(logs[p].batches.map((b) => b.bytes.toString('hex')));
    }
  });

  it('builds each object in the buffer it reuses, and every stored object stays whole (a larger one grows it, a smaller one follows)', async () => {
    const log = new FakeLocalLog();
    for (const count of [5, 60, 3]) {
      await fill(log, count);
      await h.uploader.cycle([source('t', 0, log)]);
    }
    const keys = await h.objects.list('objects/');
    expect(keys).to.have.length(3);
    for (const key of keys) verifyObject(await h.objects.get(key), key);
    expect((await readAll(h, 't', 0, 0n)).map((b) => b.toString('hex'))).to.deep.equal(log.batches.map((b) => b.bytes.toString('hex')));
  });

  it('uploads the other partitions when reading one partition\'s local log fails, and that one in a later cycle', async () => {
    const logs = [new FakeLocalLog(), new FakeLocalLog()];
    await fill(logs[0], 4);
    await fill(logs[1], 4);
    const read = logs[1].read.bind(logs[1]);
    logs[1].read = async () => { throw new Error('EIO: injected read failure'); };
    const descriptor = await h.uploader.cycle(logs.map((log, p) => source('t', p, log)));
    expect(descriptor!.ranges.map((r) => r.partition)).to.deep.equal([0]);
    logs[1].read = read;
    await h.uploader.cycle(logs.map((log, p) => source('t', p, log)));
    expect(h.index.endOffset('t', 1)).to.equal(logs[1].highWatermark());
  });

  it('uploads nothing when no partition has new data', async () => {
    const log = new FakeLocalLog();
    await fill(log, 3);
    await h.uploader.cycle([source('t', 0, log)]);
    expect(await h.uploader.cycle([source('t', 0, log)])).to.equal(null);
    expect(h.objects.puts).to.equal(1);
  });

  it('resumes after a restart where the recorded objects end, with no gap and no duplicate', async () => {
    const log = new FakeLocalLog();
    await fill(log, 10);
    await h.uploader.cycle([source('t', 0, log)]);
    await fill(log, 10);
    await h.reopen();
    const d = await h.uploader.cycle([source('t', 0, log)]);
    expect(d!.ranges[0].baseOffset).to.equal(h.index.view('t', 0)[0].to);
    expect((await readAll(h, 't', 0, 0n)).length).to.equal(20);
  });

  it('never references an object written but not recorded (a crash between the two), and uploads its range once', async () => {
    const log = new FakeLocalLog();
    await fill(log, 5);
    const dying = Object.assign(Object.create(h.metadata) as EmbeddedMetadataStore, {
      txn: async () => { throw new Error('crash before record'); },
      get: async () => null,
    });
    const crashing = new Uploader({ objects: h.objects, metadata: dying, keys: h.keys, brokerId: 1, index: h.index, format: fakeFormat });
    const error = await crashing.cycle([source('t', 0, log)]).catch((e: unknown) => e);
    expect((error as Error).message).to.match(/crash before record/);
    expect(await h.objects.list('objects/')).to.have.length(1);
    await h.reopen();
    expect(h.index.view('t', 0)).to.deep.equal([]);
    await h.uploader.cycle([source('t', 0, log)]);
    expect(h.index.view('t', 0)).to.have.length(1);
    expect((await readAll(h, 't', 0, 0n)).length).to.equal(5);
  });

  it('starts a partition at its local log start when bytes below were removed before the tier saw them', async () => {
    const log = new FakeLocalLog();
    await fill(log, 10);
    log.dropBelow(log.batches[4].base);
    const d = await h.uploader.cycle([source('t', 0, log)]);
    expect(d!.ranges[0].baseOffset).to.equal(log.logStartOffset());
  });

  it('caps an object at objectBytesMax and reports the backlog so the loop runs again at once', async () => {
    const log = new FakeLocalLog();
    await fill(log, 30);
    const small = new Uploader({ objects: h.objects, metadata: h.metadata, keys: h.keys, brokerId: 1, index: h.index, format: fakeFormat, objectBytesMax: 1000 });
    const first = await small.cycle([source('t', 0, log)]);
    expect(first!.sizeBytes).to.be.below(3000);
    expect(small.backlog).to.equal(true);
    while (small.backlog) await small.cycle([source('t', 0, log)]);
    expect(h.index.endOffset('t', 0)).to.equal(log.highWatermark());
    expect((await readAll(h, 't', 0, 0n)).length).to.equal(30);
  });

  it('puts the same number of objects per cycle for 1 partition as for 200 under the same load', async () => {
    const puts: number[] = [];
    for (const partitions of [1, 200]) {
      const logs = Array.from({ length: partitions }, () => new FakeLocalLog());
      const before = h.objects.puts;
      for (let cycle = 0; cycle < 5; cycle++) {
        for (let i = 0; i < 200; i++) await logs[i % partitions].append(fakeBatch(1, 1000n, 100));
        await h.uploader.cycle(logs.map((log, p) => source(`load-${partitions}`, p, log)));
      }
      puts.push(h.objects.puts - before);
    }
    expect(puts).to.deep.equal([5, 5]);
  });
});

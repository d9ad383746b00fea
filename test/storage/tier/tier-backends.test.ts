/**
 * The tier end to end on every test backend: upload one multi-partition object, read every
 * batch back through range reads, restart from the descriptors, and let retention delete.
 */
import { expect } from 'chai';
import type { ObjectStore } from '../../../src/storage/objects/object-store';
import { OpendalObjectStore } from '../../../src/storage/objects/opendal-store';
import { BlockCache } from '../../../src/storage/tier/block-cache';
import { CloudRetention } from '../../../src/storage/tier/cloud-retention';
import { TieredReader } from '../../../src/storage/tier/tiered-reader';
import { ObjectServer, startAzurite, startS3rver } from '../../support/object-servers';
import { fakeBatch, FakeLocalLog } from './fake-local-log';
import { openHarness, source, TierHarness } from './tier-harness';

const backends: Array<[string, () => Promise<{ store: ObjectStore; server: ObjectServer | null }>]> = [
  ['memory', async () => ({ store: new OpendalObjectStore({ backend: 'memory' }), server: null })],
  ['azblob on Azurite', async () => { const server = await startAzurite(); return { store: new OpendalObjectStore(server.config), server }; }],
  ['s3 on s3rver', async () => { const server = await startS3rver(); return { store: new OpendalObjectStore(server.config), server }; }],
];

for (const [name, start] of backends) {
  describe(`tier on ${name}`, () => {
    let server: ObjectServer | null;
    let h: TierHarness;
    before(async () => {
      const started = await start();
      server = started.server;
      h = await openHarness(started.store);
    });
    after(async () => {
      await h?.close();
      await server?.stop();
    });

    it('uploads partitions as one object, replays them through range reads, and survives a restart', async () => {
      const logs = [new FakeLocalLog(), new FakeLocalLog()];
      for (let i = 0; i < 60; i++) await logs[i % 2].append(fakeBatch(2, BigInt(i), 300));
      await h.uploader.cycle(logs.map((log, p) => source('replay', p, log)));
      await h.reopen();
      const reader = new TieredReader(h.index, new BlockCache(h.objects));
      for (const [p, log] of logs.entries()) {
        const back: string[] = [];
        let offset = 0n;
        while (offset < log.highWatermark()) {
          const result = await reader.read('replay', p, offset, 1000);
          back.push(...result!.chunks.map((c) => c.toString('hex')));
          offset = result!.nextOffset;
        }
        expect(back).to.deep.equal(log.batches.map((b) => b.bytes.toString('hex')));
      }
      expect(h.objects.gets).to.be.greaterThan(2);
    });

    it('deletes the objects of a deleted topic', async () => {
      const retention = new CloudRetention({ objects: h.objects, metadata: h.metadata, keys: h.keys, index: h.index, policyOf: async () => null });
      expect((await retention.runPass()).objectsDeleted).to.equal(1);
      expect(await h.objects.list('objects/')).to.deep.equal([]);
    });
  });
}

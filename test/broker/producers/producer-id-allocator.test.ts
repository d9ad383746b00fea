import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedMetadataStore } from '../../../src/coordination/embedded/embedded-store';
import { ProducerIdAllocator } from '../../../src/broker/producers/producer-id-allocator';

describe('Producer id allocator', () => {
  let dir: string;
  beforeEach(async () => { dir = await mkdtemp(join(tmpdir(), 'tributary-pids-')); });
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  it('hands out unique ids that never repeat across restarts and between allocators sharing a store', async () => {
    const seen = new Set<bigint>();
    for (let restart = 0; restart < 3; restart++) {
      const store = await EmbeddedMetadataStore.open(dir);
      const a = new ProducerIdAllocator(store, '/c/producer-ids', 10);
      const b = new ProducerIdAllocator(store, '/c/producer-ids', 10);
      const ids = await Promise.all(Array.from({ length: 25 }, (_, i) => (i % 2 ? a : b).allocate()));
      for (const id of ids) {
        expect(seen.has(id), `id ${id} repeated`).to.equal(false);
        expect(id >= 0n).to.equal(true);
        seen.add(id);
      }
      await store.close();
    }
    expect(seen.size).to.equal(75);
  });
});

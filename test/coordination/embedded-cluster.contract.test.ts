import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedMetadataStore } from '../../src/coordination/embedded/embedded-store';
import { clusterContract } from './cluster.contract';

describe('Embedded cluster coordination', () => {
  let dir: string;
  let store: EmbeddedMetadataStore;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tributary-meta-'));
    store = await EmbeddedMetadataStore.open(dir);
  });
  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  clusterContract('embedded', () => ({ client: async () => store, leaseTtlMs: 300 }));
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedMetadataStore } from '../../src/coordination/embedded/embedded-store';
import { metadataStoreContract } from './metadata-store.contract';

describe('Embedded metadata store', () => {
  let dir: string;
  before(() => { dir = mkdtempSync(join(tmpdir(), 'tributary-meta-')); });
  after(() => rmSync(dir, { recursive: true, force: true }));

  metadataStoreContract('embedded', () => ({ open: () => EmbeddedMetadataStore.open(dir), leaseTtlMs: 300 }));
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OpendalObjectStore } from '../../../src/storage/objects/opendal-store';
import { startAzurite, startS3rver } from '../../support/object-servers';
import { objectStoreContract } from './object-store.contract';

objectStoreContract('fs', async () => {
  const root = mkdtempSync(join(tmpdir(), 'tributary-objects-'));
  return {
    store: new OpendalObjectStore({ backend: 'fs', root }),
    conditionalCreate: true,
    close: async () => rmSync(root, { recursive: true, force: true }),
  };
});

objectStoreContract('memory', async () => ({
  store: new OpendalObjectStore({ backend: 'memory' }),
  conditionalCreate: true,
  close: async () => undefined,
}));

objectStoreContract('azblob on Azurite', async () => {
  const server = await startAzurite();
  return { store: new OpendalObjectStore(server.config), conditionalCreate: true, close: () => server.stop() };
});

// s3rver ignores If-None-Match (environment.md §4), so conditional create stays off for it.
objectStoreContract('s3 on s3rver', async () => {
  const server = await startS3rver();
  return { store: new OpendalObjectStore(server.config), conditionalCreate: false, close: () => server.stop() };
});

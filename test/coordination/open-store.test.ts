import { expect } from 'chai';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isCoordinationError } from '../../src/coordination/errors';
import { openMetadataStore } from '../../src/coordination/open-store';
import { put } from './helpers';

describe('Opening the configured metadata store', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'tributary-open-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('opens the embedded store under <data dir>/metadata', async () => {
    const store = await openMetadataStore({ store: 'embedded', dataDir: dir, etcdEndpoints: [] });
    await put(store, '/k', 'v');
    await store.close();
    expect(existsSync(join(dir, 'metadata', 'txn.log'))).to.equal(true);
  });

  it('refuses an etcd endpoint without a scheme', async () => {
    const error = await openMetadataStore({ store: 'etcd', dataDir: dir, etcdEndpoints: ['127.0.0.1:2379'] }).then(() => null, (e: unknown) => e);
    expect(isCoordinationError(error, 'INVALID_REQUEST'), String(error)).to.equal(true);
  });

  it('fails at startup, naming the endpoint, when nothing answers there', async function () {
    this.timeout(20_000);
    const port = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = server.address() as { port: number };
        server.close(() => resolve(free));
      });
    });
    const endpoint = `http://127.0.0.1:${port}`;
    const error = await openMetadataStore({ store: 'etcd', dataDir: dir, etcdEndpoints: [endpoint] }).then(() => null, (e: unknown) => e);
    expect(isCoordinationError(error, 'STORE_UNAVAILABLE'), String(error)).to.equal(true);
    expect((error as Error).message).to.contain(endpoint);
  });
});

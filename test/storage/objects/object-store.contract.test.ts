import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TIER_LIMITS } from '../../../src/limits';
import { OpendalObjectStore } from '../../../src/storage/objects/opendal-store';
import { startAzurite, startS3rver } from '../../support/object-servers';
import { objectStoreContract } from './object-store.contract';

const TEST_PIECE_BYTES = 3 * 1024 * 1024;

objectStoreContract('fs', async () => {
  const root = mkdtempSync(join(tmpdir(), 'tributary-objects-'));
  return {
    store: new OpendalObjectStore({ backend: 'fs', root }),
    conditionalCreate: true,
    putPieceBytes: TIER_LIMITS.fsPutChunkBytes,
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
  // Small pieces (the default is TIER_LIMITS.remotePutPieceBytes) so a test object spans several blocks.
  return { store: new OpendalObjectStore(server.config, { putPieceBytes: TEST_PIECE_BYTES }), conditionalCreate: true, putPieceBytes: TEST_PIECE_BYTES, close: () => server.stop() };
});

// s3rver ignores If-None-Match (environment.md §4), so conditional create stays off for it. It also
// writes an object's file in place as the bytes arrive, for a PUT and a multipart completion alike
// (a stat during a 40 MiB PUT saw 55 partial sizes), where S3 shows an object only once complete.
objectStoreContract('s3 on s3rver', async () => {
  const server = await startS3rver();
  // 3 MiB pieces: opendal joins them into parts of 5 MiB or more (s3's minimum), the last one shorter.
  return { store: new OpendalObjectStore(server.config, { putPieceBytes: TEST_PIECE_BYTES }), conditionalCreate: false, putPieceBytes: TEST_PIECE_BYTES, visibleWhole: false, close: () => server.stop() };
});

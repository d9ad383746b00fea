import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openTestWal, WalTestHarness } from '../wal/wal-harness';
import { testAppend } from '../support/test-batch-format';
import { openTiered } from './tiered-harness';

describe('the uploader reading the WAL', () => {
  let dir: string;
  let harness: WalTestHarness;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tributary-upload-read-'));
    harness = new WalTestHarness();
  });
  afterEach(async () => {
    await harness.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads the same batches as read() without making the partition a tail reader (its appends stay out of the tail cache)', async () => {
    const log = await openTestWal(harness, join(dir, 'p0'));
    for (let i = 0; i < 3; i++) await log.append(testAppend({ recordCount: 2, seed: 1 }));
    const forUpload = await log.readForUpload(0n, 1 << 20);
    await log.append(testAppend({ recordCount: 2, seed: 1 }));
    expect(harness.cache.usedBytes).to.equal(0);
    const plain = await log.read(0n, 1 << 20);
    expect(forUpload.chunks.map((c) => c.toString('hex'))).to.deep.equal(plain.chunks.slice(0, 3).map((c) => c.toString('hex')));
    expect(forUpload.nextOffset).to.equal(6n);
    await log.append(testAppend({ recordCount: 2, seed: 1 }));
    expect(harness.cache.usedBytes).to.be.greaterThan(0);
    await log.close();
  });

  it('leaves the tail cache empty for a durability local partition the upload loop reads', async () => {
    const log = await openTiered(harness, dir, 'local', false);
    await log.append(testAppend({ recordCount: 2, seed: 1 }));
    await log.ownTier.uploads.runOnce();
    await log.append(testAppend({ recordCount: 2, seed: 2 }));
    await log.ownTier.uploads.runOnce();
    expect(log.ownTier.index.endOffset('t', 0)).to.equal(4n);
    expect(harness.cache.usedBytes).to.equal(0);
    await log.close();
  });

  it('reads a durability cloud partition as a tail reader: the commit loop finds what it commits one interval later in memory', async () => {
    const log = await openTiered(harness, dir, 'cloud', false);
    await log.append(testAppend({ recordCount: 2, seed: 1 }));
    await log.append(testAppend({ recordCount: 2, seed: 2 }));
    expect(log.ownTier.index.endOffset('t', 0)).to.equal(4n);
    expect(harness.cache.usedBytes).to.be.greaterThan(0);
    await log.close();
  });
});

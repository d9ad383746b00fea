import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openTestWal, WalTestHarness } from '../wal/wal-harness';
import { testAppend } from '../support/test-batch-format';

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
});

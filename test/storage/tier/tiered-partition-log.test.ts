import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readAll } from '../partition-log.contract';
import { testAppend } from '../support/test-batch-format';
import { WalTestHarness } from '../wal/wal-harness';
import { openTiered, OwnedTieredLog } from './tiered-harness';

describe('tiered partition log, beyond the contract', () => {
  let harness: WalTestHarness;
  let dir: string;
  let log: OwnedTieredLog | null = null;
  beforeEach(async () => {
    harness = new WalTestHarness();
    dir = await mkdtemp(join(tmpdir(), 'tributary-tiered-'));
  });
  afterEach(async () => {
    await log?.close();
    log = null;
    await harness.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('reads from offset 0 after local retention removed the first segments: objects, then the WAL, no gap, no duplicate', async () => {
    log = await openTiered(harness, dir, 'local', false);
    const written: string[] = [];
    for (let i = 0; i < 30; i++) {
      const input = testAppend({ recordCount: 1 + (i % 3), seed: i });
      await log.append(input);
      written.push(input.batch.toString('hex'));
    }
    await log.moveToObjects();
    expect(log.local.logStartOffset() > 0n, 'local retention removed segments').to.equal(true);
    expect(log.logStartOffset()).to.equal(0n);
    const gets = log.ownTier.cache.fetches;
    expect((await readAll(log, 0n)).map((b) => b.toString('hex'))).to.deep.equal(written);
    expect(log.ownTier.cache.fetches).to.be.greaterThan(gets);
    expect(await log.offsetForTimestamp(0n)).to.equal(0n);
  });

  it('durability cloud: after the data dir is lost, every acknowledged batch is read back from object storage', async () => {
    log = await openTiered(harness, dir, 'cloud', false);
    const acked = await Promise.all(Array.from({ length: 40 }, (_, i) => {
      const input = testAppend({ recordCount: 2, seed: i });
      return log!.append(input).then(() => input.batch.toString('hex'));
    }));
    const end = log.highWatermark();
    await log.close();
    log = null;
    await rm(join(dir, 'wal'), { recursive: true, force: true });
    log = await openTiered(harness, dir, 'cloud', false);
    expect(log.highWatermark()).to.equal(end);
    expect(log.local.logStartOffset()).to.equal(end);
    const back = (await readAll(log, 0n)).map((b) => b.toString('hex'));
    expect(back.sort()).to.deep.equal([...acked].sort());
    expect((await log.append(testAppend({ seed: 99 }))).baseOffset).to.equal(end);
  });

  it('durability cloud: a batch that cannot reach object storage is never acknowledged nor shown to readers', async () => {
    log = await openTiered(harness, dir, 'cloud', false);
    await log.ownTier.commits.stop();
    const outcome = await log.append(testAppend()).catch((e: Error) => e);
    expect(outcome).to.be.instanceOf(Error);
    expect(log.local.highWatermark()).to.equal(1n);
    expect(log.highWatermark()).to.equal(0n);
  });
});

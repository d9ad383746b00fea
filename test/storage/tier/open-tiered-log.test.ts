import { expect } from 'chai';
import { statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedMetadataStore } from '../../../src/coordination/embedded/embedded-store';
import { clusterKeys } from '../../../src/coordination/keys';
import { LogManager } from '../../../src/storage/log-manager';
import { OpendalObjectStore } from '../../../src/storage/objects/opendal-store';
import { ObjectTier } from '../../../src/storage/tier/object-tier';
import type { WalPartitionLog } from '../../../src/storage/wal/wal-partition-log';
import { localWalConfig, objectStoreConfigFor, openTieredLog } from '../../../src/storage/tier/open-tiered-log';
import { readAll } from '../partition-log.contract';
import { testAppend } from '../support/test-batch-format';
import { defaultTestConfig } from '../wal/wal-harness';

describe('opening tiered logs through the LogManager', () => {
  let dir: string;
  let metadata: EmbeddedMetadataStore;
  let tier: ObjectTier;
  let logs: LogManager;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tributary-open-tiered-'));
    metadata = await EmbeddedMetadataStore.open(join(dir, 'meta'));
    tier = await ObjectTier.open({
      objects: new OpendalObjectStore(objectStoreConfigFor('', dir)), metadata, keys: clusterKeys('/c'), brokerId: 0,
      format: defaultTestConfig.batchFormat, uploadIntervalMs: 3_600_000, policyOf: async () => ({ retentionMs: -1, retentionBytes: -1 }),
    });
    logs = new LogManager({ dataDir: join(dir, 'logs'), retentionCheckIntervalMs: 3_600_000 });
  });
  afterEach(async () => {
    await logs.close();
    await tier.close();
    await metadata.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('maps local.retention (-2 = same as retention) onto the WAL and gates it on the upload mark', () => {
    const wal = { ...defaultTestConfig, retentionMs: 1000, retentionBytes: 5000 };
    expect(localWalConfig(wal, { durability: 'local', localRetentionMs: -2, localRetentionBytes: 10 }, 7n)).to.deep.include({
      retentionMs: 1000, retentionBytes: 10, retentionRequiresUploadMark: true, initialOffset: 7n, fsyncPolicy: 'always',
    });
    expect(localWalConfig(wal, { durability: 'cloud', localRetentionMs: 5, localRetentionBytes: -2 }, 0n)).to.deep.include({
      retentionMs: 5, retentionBytes: 5000, fsyncPolicy: 'never',
    });
  });

  it('switches a partition to durability cloud at run time: the next append is acknowledged only once in an object', async () => {
    const ref = { topic: 'live', partition: 0, tierTopic: 'id-2' };
    const walConfig = { ...defaultTestConfig };
    const log = await openTieredLog(logs, tier, ref, walConfig, { durability: 'local', localRetentionMs: -2, localRetentionBytes: -2 });
    await log.append(testAppend({ seed: 1 }));
    expect(tier.index.endOffset('id-2', 0)).to.equal(null);
    log.reconfigure(walConfig, { durability: 'cloud', localRetentionMs: -2, localRetentionBytes: -2 });
    const { nextOffset } = await log.append(testAppend({ seed: 2 }));
    expect(tier.index.endOffset('id-2', 0)).to.equal(nextOffset);
    expect(log.highWatermark()).to.equal(nextOffset);
  });

  it('passes preallocate to its WAL at open and at run time, and uploads preallocated segments as they are', async () => {
    const ref = { topic: 'pre', partition: 0, tierTopic: 'id-3' };
    const walConfig = { ...defaultTestConfig, segmentBytes: 300, preallocate: true };
    const log = await openTieredLog(logs, tier, ref, walConfig, { durability: 'local', localRetentionMs: -2, localRetentionBytes: -2 });
    const wal = log.local as WalPartitionLog;
    const active = () => statSync(wal.segmentInfos().at(-1)!.path).size;
    expect(active()).to.equal(300);
    log.reconfigure({ ...walConfig, preallocate: false }, { durability: 'local', localRetentionMs: -2, localRetentionBytes: -2 });
    const written: string[] = [];
    for (let i = 0; i < 8; i++) {
      const input = testAppend({ seed: i, payload: 60 });
      await log.append(input);
      written.push(input.batch.toString('hex'));
    }
    expect(wal.segmentInfos().length).to.be.greaterThan(1);
    expect(active(), 'segments rolled after the change grow with their frames').to.equal(wal.segmentInfos().at(-1)!.sizeBytes);
    await tier.uploads.runOnce();
    expect((await readAll(log, 0n)).map((b) => b.toString('hex'))).to.deep.equal(written);
  });

  it('deletes local segments only once every byte of them is recorded in object storage', async () => {
    const ref = { topic: 'orders', partition: 0, tierTopic: 'id-1' };
    const log = await openTieredLog(logs, tier, ref, { ...defaultTestConfig, segmentBytes: 200 }, { durability: 'local', localRetentionMs: -2, localRetentionBytes: 0 });
    const written: string[] = [];
    for (let i = 0; i < 20; i++) {
      const input = testAppend({ seed: i, payload: 60 });
      await log.append(input);
      written.push(input.batch.toString('hex'));
    }
    await logs.applyRetention();
    expect(log.local.logStartOffset()).to.equal(0n);
    await tier.uploads.runOnce();
    await logs.applyRetention();
    expect(log.local.logStartOffset() > 0n).to.equal(true);
    expect(log.logStartOffset()).to.equal(0n);
    expect((await readAll(log, 0n)).map((b) => b.toString('hex'))).to.deep.equal(written);
  });
});

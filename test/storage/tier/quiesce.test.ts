import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { EmbeddedMetadataStore } from '../../../src/coordination/embedded/embedded-store';
import { clusterKeys } from '../../../src/coordination/keys';
import { LogManager } from '../../../src/storage/log-manager';
import { OpendalObjectStore } from '../../../src/storage/objects/opendal-store';
import { ObjectTier } from '../../../src/storage/tier/object-tier';
import { openTieredLog } from '../../../src/storage/tier/open-tiered-log';
import type { TieredPartitionLog } from '../../../src/storage/tier/tiered-partition-log';
import { testAppend, testBatchFormat } from '../support/test-batch-format';

/**
 * What a handoff or a drain does (src/broker/cluster/partition-handoff.ts): close the partition's
 * log, run upload cycles, open the log again and upload until object storage reaches its end.
 */
describe('a tiered log closed and opened again (handoff and drain)', () => {
  let dir: string;
  let manager: LogManager;
  let metadata: EmbeddedMetadataStore;
  let tier: ObjectTier;
  const walConfig = {
    fsyncPolicy: 'interval' as const, fsyncIntervalMs: 50, segmentBytes: 4096, segmentMs: 3_600_000,
    retentionBytes: -1, retentionMs: -1, batchFormat: testBatchFormat,
  };
  const open = (partition = 0) => openTieredLog(manager, tier, { topic: 't', partition, tierTopic: 'tid' }, walConfig,
    { durability: 'local', localRetentionMs: -2, localRetentionBytes: -2 });

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tributary-quiesce-'));
    manager = new LogManager({ dataDir: join(dir, 'logs'), logger: pino({ level: 'silent' }), retentionCheckIntervalMs: 3_600_000 });
    metadata = await EmbeddedMetadataStore.open(join(dir, 'meta'));
    tier = await ObjectTier.open({
      objects: new OpendalObjectStore({ backend: 'fs', root: join(dir, 'objects') }), metadata, keys: clusterKeys('/q'), brokerId: 1,
      format: testBatchFormat, uploadIntervalMs: 3_600_000, policyOf: async () => ({ retentionMs: -1, retentionBytes: -1 }),
    });
  });
  afterEach(async () => {
    await tier.close();
    await manager.close();
    await metadata.close();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const closeAfterMs of [0, 1, 3, 10]) {
    it(`uploads the last batch appended while a cycle ran, the log closed ${closeAfterMs} ms into that cycle`, async () => {
      let log: TieredPartitionLog = await open();
      for (let i = 0; i < 40; i++) await log.append(testAppend({ recordCount: 2, payload: 300, seed: i }));
      const cycle = tier.uploads.runOnce();
      const last = log.append(testAppend({ recordCount: 2, payload: 300, seed: 99 }));
      await new Promise((resolve) => setTimeout(resolve, closeAfterMs));
      await last;
      await log.close();
      await cycle;
      await tier.uploads.runOnce();
      log = await open();
      const end = log.highWatermark();
      expect(end).to.equal(82n);
      await tier.uploads.runOnce();
      expect(tier.index.endOffset('tid', 0)).to.equal(end);
      await log.close();
    });
  }

  it('uploads the other partitions when one source\'s WAL was closed under it (that one waits for its next open)', async () => {
    const logs = [await open(0), await open(1)];
    for (const log of logs) for (let i = 0; i < 5; i++) await log.append(testAppend({ recordCount: 2, payload: 300, seed: i }));
    await logs[1].local.close();
    await tier.uploads.runOnce();
    await tier.uploads.runOnce();
    expect(tier.uploads.stats.failures).to.equal(0);
    expect(tier.index.endOffset('tid', 0)).to.equal(10n);
    await Promise.all(logs.map((log) => log.close()));
  });
});

/** Tiered logs on the real WAL, a real embedded MetadataStore and an fs object store, for tests. */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { EmbeddedMetadataStore } from '../../../src/coordination/embedded/embedded-store';
import { clusterKeys } from '../../../src/coordination/keys';
import type { AppendInput } from '../../../src/storage/partition-log';
import { OpendalObjectStore } from '../../../src/storage/objects/opendal-store';
import { ObjectTier, ObjectTierOptions } from '../../../src/storage/tier/object-tier';
import { Durability, LocalLog, ResetLocalLog, TieredPartitionLog } from '../../../src/storage/tier/tiered-partition-log';
import type { WalPartitionLog } from '../../../src/storage/wal/wal-partition-log';
import { testBatchFormat } from '../support/test-batch-format';
import { openTestWal, WalTestHarness } from '../wal/wal-harness';

/** A tiered log that owns its tier and metadata store, so close() releases everything. */
export class OwnedTieredLog extends TieredPartitionLog {
  onClose: Array<() => Promise<void>> = [];
  moveSegments = false;

  constructor(local: LocalLog, readonly ownTier: ObjectTier, durability: Durability, reset: ResetLocalLog) {
    super('t', 0, local, ownTier, durability, () => 0, reset);
  }

  override async append(input: AppendInput) {
    const result = await super.append(input);
    if (this.moveSegments) await this.moveToObjects();
    return result;
  }

  /** Uploads now, then lets local retention delete every uploaded sealed segment. */
  async moveToObjects(): Promise<void> {
    await this.ownTier.uploads.runOnce();
    await (this.local as WalPartitionLog).applyRetention();
  }

  override async close() {
    await super.close();
    for (const f of this.onClose.splice(0)) await f();
  }
}

/** `tierOptions`: options of the tier beyond the harness's own (uploadNice, for one). */
export async function openTiered(
  harness: WalTestHarness, dir: string, durability: Durability, moveSegments: boolean, tierOptions: Partial<ObjectTierOptions> = {},
): Promise<OwnedTieredLog> {
  const metadata = await EmbeddedMetadataStore.open(join(dir, 'meta'));
  const tier = await ObjectTier.open({
    objects: new OpendalObjectStore({ backend: 'fs', root: join(dir, 'objects') }),
    metadata, keys: clusterKeys('/c'), brokerId: 1, format: testBatchFormat, cloudCommitIntervalMs: 5,
    uploadIntervalMs: 3_600_000, policyOf: async () => ({ retentionMs: -1, retentionBytes: -1 }), blockBytes: 150, ...tierOptions,
  });
  const walDir = join(dir, 'wal');
  const walConfig = (offset: bigint) => ({ segmentBytes: 100, retentionBytes: 0, retentionRequiresUploadMark: true, initialOffset: offset });
  const local = await openTestWal(harness, walDir, walConfig(tier.initialOffset('t', 0)));
  const log: OwnedTieredLog = new OwnedTieredLog(local, tier, durability, async (offset) => {
    await log.local.close();
    await rm(walDir, { recursive: true, force: true });
    return openTestWal(harness, walDir, walConfig(offset));
  });
  log.moveSegments = moveSegments;
  tier.register(log);
  log.onClose.push(() => tier.close(), () => metadata.close());
  return log;
}

import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kafkaBatchInspector } from '../../../src/broker/kafka/batch-inspector';
import { openPartitionLogOpener } from '../../../src/broker/partitions/partition-log-openers';
import { TopicRegistry } from '../../../src/broker/topics/topic-registry';
import { loadConfig } from '../../../src/config/load';
import { EmbeddedMetadataStore } from '../../../src/coordination/embedded/embedded-store';
import { clusterKeys } from '../../../src/coordination/keys';
import { LogManager } from '../../../src/storage/log-manager';

describe('Partition log openers', () => {
  it('opens the tier with the configured upload priority (tier.uploadNice), not the default', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tributary-openers-'));
    const store = await EmbeddedMetadataStore.open(join(dir, 'metadata'));
    const keys = clusterKeys('/test');
    const topics = await TopicRegistry.open(store, keys);
    const logs = new LogManager({ dataDir: join(dir, 'logs'), tailCacheBytes: 0 });
    const config = loadConfig({
      env: {},
      overrides: { 'data.dir': dir, 'tier.enabled': 'true', 'tier.objectStore': `fs://${join(dir, 'objects')}`, 'tier.uploadNice': '7' },
    });
    const openers = await openPartitionLogOpener(config, store, keys, topics, logs, kafkaBatchInspector);
    try {
      expect(openers.tier?.readWorker?.nice).to.equal(7);
    } finally {
      await openers.close();
      await logs.close();
      await topics.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

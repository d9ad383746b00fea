import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PartitionLogOpener, PartitionRegistry } from '../../../src/broker/partitions/partition-registry';
import { stateFreeProducers } from '../../../src/broker/partitions/producer-state-hook';
import { TopicRegistry } from '../../../src/broker/topics/topic-registry';
import { loadConfig } from '../../../src/config/load';
import { EmbeddedMetadataStore } from '../../../src/coordination/embedded/embedded-store';
import { clusterKeys } from '../../../src/coordination/keys';
import { MemoryLog } from '../support/memory-log';
import { testInspector } from '../support/test-batches';

describe('Partition registry', () => {
  it('finishes removing a topic deleted just before it closes, so nothing touches the data directory after close', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tributary-registry-'));
    const store = await EmbeddedMetadataStore.open(join(dir, 'metadata'));
    const topics = await TopicRegistry.open(store, clusterKeys('/test'));
    const events: string[] = [];
    // Removing a partition's data takes a while (rename, then a recursive delete), as LogManager.remove does.
    const opener: PartitionLogOpener = {
      open: async () => new MemoryLog(testInspector),
      remove: async (ref) => {
        await new Promise((resolve) => setTimeout(resolve, 30));
        events.push(`removed ${ref.topic}-${ref.partition}`);
      },
    };
    const config = loadConfig({ env: {}, overrides: { 'data.dir': dir } });
    const partitions = new PartitionRegistry(topics, opener, config.topics, { inspector: testInspector, producers: stateFreeProducers, now: () => 1000n });
    try {
      await topics.create({ name: 'doomed', partitions: 2 });
      await partitions.get('doomed', 0);
      await topics.delete('doomed');
      await partitions.close();
      events.push('closed');
      expect(events).to.deep.equal(['removed doomed-0', 'removed doomed-1', 'closed']);
    } finally {
      await topics.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/**
 * BrokerServices for handler tests: a real embedded metadata store and topic registry, with
 * partitions on in-memory logs (MemoryLog) and stand-in batches (test-batches.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SingleNodeCluster } from '../../../src/broker/cluster/cluster-view';
import type { ConnectionContext } from '../../../src/broker/kafka/connection';
import type { RequestContext } from '../../../src/broker/kafka/handler';
import { PartitionLogOpener, PartitionRegistry } from '../../../src/broker/partitions/partition-registry';
import { stateFreeProducers } from '../../../src/broker/partitions/producer-state-hook';
import type { BrokerServices } from '../../../src/broker/services';
import { TopicRegistry } from '../../../src/broker/topics/topic-registry';
import { loadConfig } from '../../../src/config/load';
import { EmbeddedMetadataStore } from '../../../src/coordination/embedded/embedded-store';
import { clusterKeys } from '../../../src/coordination/keys';
import { MemoryLog } from './memory-log';
import { testInspector } from './test-batches';

export interface TestServices {
  services: BrokerServices;
  removed: string[];
  /** Each open partition reconfigured after a topic config change: "topic-partition" and its new retention.ms. */
  reconfigured: Array<[string, number]>;
  stop(): Promise<void>;
}

export async function testServices(overrides: Record<string, string> = {}): Promise<TestServices> {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-handlers-'));
  const config = loadConfig({ env: {}, overrides: { 'data.dir': dir, ...overrides } });
  const store = await EmbeddedMetadataStore.open(join(dir, 'metadata'));
  const keys = clusterKeys('/test');
  const topics = await TopicRegistry.open(store, keys);
  const removed: string[] = [];
  const reconfigured: Array<[string, number]> = [];
  const logNames = new Map<unknown, string>();
  const opener: PartitionLogOpener = {
    open: async (ref) => {
      const memoryLog = new MemoryLog(testInspector);
      logNames.set(memoryLog, `${ref.topic}-${ref.partition}`);
      return memoryLog;
    },
    reconfigure: (memoryLog, config) => {
      reconfigured.push([logNames.get(memoryLog) ?? 'unknown log', config.retentionMs]);
    },
    remove: async (ref) => {
      removed.push(`${ref.topic}-${ref.partition}`);
    },
  };
  const partitions = new PartitionRegistry(topics, opener, config.topics, { inspector: testInspector, producers: stateFreeProducers, now: () => 1000n });
  const shutdown = new AbortController();
  const cluster = new SingleNodeCluster('test-cluster', { nodeId: 0, host: '127.0.0.1', port: 9092, rack: null });
  return {
    services: { config, store, keys, topics, partitions, cluster, shutdown: shutdown.signal },
    removed,
    reconfigured,
    async stop() {
      shutdown.abort();
      await partitions.close();
      await topics.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const connection: ConnectionContext = { id: 1, remote: '127.0.0.1:1' };

export function ctx(apiKey: number, apiVersion: number): RequestContext {
  return { apiKey, apiVersion, correlationId: 1, clientId: 'test', connection };
}

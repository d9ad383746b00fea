/**
 * A broker reduced to what the native protocol needs, from real parts: the embedded
 * MetadataStore and the WAL in a temp dir, the topic and partition registries, the native
 * plugin, and a real listener on a free loopback port. restart() closes everything and opens it
 * again on the same data dir (and port), as a broker restart would.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BrokerNode, ClusterView, SingleNodeCluster } from '../../../../src/broker/cluster/cluster-view';
import { NativeOptions, startNative } from '../../../../src/broker/native/native-plugin';
import { Listener } from '../../../../src/broker/net/listener';
import { ProtocolRegistry } from '../../../../src/broker/net/protocols';
import { PartitionRegistry } from '../../../../src/broker/partitions/partition-registry';
import { stateFreeProducers } from '../../../../src/broker/partitions/producer-state-hook';
import { WalLogOpener } from '../../../../src/broker/partitions/wal-log-opener';
import type { BrokerServices, PluginInstance } from '../../../../src/broker/services';
import { TopicRegistry } from '../../../../src/broker/topics/topic-registry';
import { defaultConfig } from '../../../../src/config/load';
import { EmbeddedMetadataStore } from '../../../../src/coordination/embedded/embedded-store';
import { clusterKeys } from '../../../../src/coordination/keys';
import { LogManager } from '../../../../src/storage/log-manager';
import { testRecordBatchInspector } from './record-batch-inspector';

export const TEST_NATIVE_OPTIONS: NativeOptions = { authTokens: null, tuning: { ackTimeoutMs: 2000, maxRedeliveries: 3, tickMs: 20 } };

export class NativeHarness {
  address = '';
  services!: BrokerServices;
  private port = 0;
  private closers: Array<() => Promise<void>> = [];

  private constructor(
    readonly dir: string,
    private readonly options: NativeOptions,
    private readonly clusterOf: (self: BrokerNode) => ClusterView,
  ) {}

  static async start(options: Partial<NativeOptions> = {}, clusterOf = (self: BrokerNode): ClusterView => new SingleNodeCluster('test-cluster', self)): Promise<NativeHarness> {
    const harness = new NativeHarness(await mkdtemp(join(tmpdir(), 'tributary-native-')), { ...TEST_NATIVE_OPTIONS, ...options }, clusterOf);
    await harness.open();
    return harness;
  }

  async open(): Promise<void> {
    const config = defaultConfig();
    const store = await EmbeddedMetadataStore.open(join(this.dir, 'metadata'));
    const keys = clusterKeys('/tributary-test');
    const topics = await TopicRegistry.open(store, keys);
    const logs = new LogManager({ dataDir: join(this.dir, 'logs') });
    const inspector = testRecordBatchInspector;
    const partitions = new PartitionRegistry(topics, new WalLogOpener(logs, inspector, 50), { ...config.topics, flushPolicy: 'always' }, {
      inspector, producers: stateFreeProducers, now: () => BigInt(Date.now()),
    });
    const self: BrokerNode = { nodeId: 1, host: '127.0.0.1', port: this.port, rack: null };
    const shutdown = new AbortController();
    this.services = { config, store, keys, topics, partitions, shutdown: shutdown.signal, cluster: this.clusterOf(self) };
    const plugin: PluginInstance = await startNative(this.services, this.options);
    const refuse = { name: 'refuse', claims: () => true, accept: (socket: import('node:net').Socket) => {
      socket.destroy();
      return { close: async () => undefined };
    } };
    const registry = new ProtocolRegistry(refuse);
    for (const p of plugin.protocols ?? []) registry.register(p);
    const listener = new Listener({ host: '127.0.0.1', port: this.port, connectionsMax: 1000, protocols: registry });
    const bound = await startListening(listener);
    this.port = bound.port;
    self.port = bound.port;
    this.address = `127.0.0.1:${bound.port}`;
    this.closers = [
      async () => shutdown.abort(),
      () => listener.close(),
      () => plugin.close(),
      () => partitions.close(),
      () => logs.close(),
      () => topics.close(),
      () => store.close(),
    ];
  }

  async stop(): Promise<void> {
    for (const close of this.closers) await close();
    this.closers = [];
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.open();
  }

  async destroy(): Promise<void> {
    await this.stop();
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** A restart listens on the port it had; if the OS has not released it yet, try again briefly. */
async function startListening(listener: Listener): Promise<import('node:net').AddressInfo> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await listener.start();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt >= 20) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

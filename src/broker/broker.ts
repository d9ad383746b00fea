/**
 * One broker: metadata store, topic registry, partition logs on the WAL, plugins, and one
 * listener serving Kafka (and any plugin protocol) on one port. close() is the graceful
 * shutdown: stop accepting, answer what was read (parked fetches answer at once), then flush
 * and close logs and the metadata store.
 */
import { setMaxListeners } from 'node:events';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parseHostPort } from '../config/knobs';
import type { TributaryConfig } from '../config/schema';
import { clusterKeys } from '../coordination/keys';
import { openMetadataStore } from '../coordination/open-store';
import { CONNECTION_LIMITS, KAFKA_BROKER_LIMITS } from '../limits';
import { componentLogger } from '../log';
import { LogManager } from '../storage/log-manager';
import { ensureClusterId } from './cluster/cluster-id';
import { openClusterMode } from './cluster/cluster-mode';
import type { BrokerNode } from './cluster/cluster-view';
import { kafkaBatchInspector } from './kafka/batch-inspector';
import { kafkaProtocol } from './kafka/kafka-protocol';
import { Listener } from './net/listener';
import { ProtocolRegistry } from './net/protocols';
import { PartitionRegistry } from './partitions/partition-registry';
import { stateFreeProducers } from './partitions/producer-state-hook';
import { openPartitionLogOpener } from './partitions/partition-log-openers';
import { brokerPlugins } from './plugins';
import type { BrokerPlugin, BrokerServices, PluginInstance } from './services';
import { TopicRegistry } from './topics/topic-registry';

const log = componentLogger('broker');

export interface Broker {
  /** The bound address (the real port when the config asked for port 0). */
  readonly address: { host: string; port: number };
  readonly services: BrokerServices;
  close(): Promise<void>;
}

export async function startBroker(config: TributaryConfig, plugins: BrokerPlugin[] = brokerPlugins): Promise<Broker> {
  const listen = parseHostPort(config.broker.listen, 'broker.listen');
  const advertised = config.broker.advertise === '' ? listen : parseHostPort(config.broker.advertise, 'broker.advertise');
  await mkdir(config.data.dir, { recursive: true });
  const store = await openMetadataStore({ store: config.metadata.store, dataDir: config.data.dir, etcdEndpoints: config.metadata.etcdEndpoints });
  const keys = clusterKeys(config.metadata.clusterPrefix);
  const clusterId = await ensureClusterId(store, keys);
  const topics = await TopicRegistry.open(store, keys);
  const logs = new LogManager({ dataDir: join(config.data.dir, 'logs'), tailCacheBytes: config.storage.tailCacheBytes });
  const producers = plugins.find((p) => p.producerStateHook)?.producerStateHook?.(config, store, keys) ?? stateFreeProducers;
  const openers = await openPartitionLogOpener(config, store, keys, topics, logs, kafkaBatchInspector);
  const self: BrokerNode = { nodeId: config.broker.id, host: advertised.host, port: advertised.port, rack: config.broker.rack || null };
  const clusterMode = await openClusterMode(config, store, keys, clusterId, self);
  const partitions = new PartitionRegistry(topics, clusterMode.logOpener(openers.opener), config.topics, {
    inspector: kafkaBatchInspector,
    producers,
    now: () => BigInt(Date.now()),
  });
  const shutdown = new AbortController();
  // Every parked Fetch listens for shutdown; their number is bounded by parkedFetchesMax, not 10.
  setMaxListeners(KAFKA_BROKER_LIMITS.parkedFetchesMax + 100, shutdown.signal);
  const services: BrokerServices = {
    config, store, keys, topics, partitions, shutdown: shutdown.signal, cluster: clusterMode.view,
  };
  const started: PluginInstance[] = [];
  for (const plugin of plugins) started.push(await plugin.start(services));
  const kafka = kafkaProtocol(services, started.flatMap((p) => p.kafkaHandlers ?? []), {
    ...CONNECTION_LIMITS,
    frameBytesMax: config.kafka.frameBytesMax,
    inFlightRequestsMax: config.kafka.inFlightRequestsMax,
    inFlightBytesMax: config.kafka.inFlightBytesMax,
  });
  const protocols = new ProtocolRegistry(kafka);
  for (const p of started) for (const protocol of p.protocols ?? []) protocols.register(protocol);
  const listener = new Listener({ host: listen.host, port: listen.port, connectionsMax: config.broker.connectionsMax, protocols });
  const bound = await listener.start();
  // Port 0 (tests) binds a free port; clients must be told the real one.
  if (config.broker.advertise === '') self.port = bound.port;
  log.info({ brokerId: self.nodeId, listen: `${bound.address}:${bound.port}`, advertise: `${self.host}:${self.port}`, clusterId }, 'broker listening');

  let closing: Promise<void> | null = null;
  const close = async () => {
    shutdown.abort();
    await listener.close();
    for (const p of started.reverse()) await p.close().catch((err: unknown) => log.error({ err }, 'plugin close failed'));
    await openers.close();
    await partitions.close();
    await logs.close();
    await clusterMode.close();
    await topics.close();
    await store.close();
  };
  // Cluster mode: register (a duplicate id is refused), campaign and take assignments now that
  // the advertised port is known; a refusal shuts everything down again.
  await clusterMode.join(partitions, openers.tier).catch(async (err: unknown) => {
    await close().catch(() => undefined);
    throw err;
  });
  return {
    address: { host: bound.address, port: bound.port },
    services,
    close: () => (closing ??= close()),
  };
}

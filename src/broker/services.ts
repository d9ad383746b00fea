/**
 * Everything a protocol handler may use, built once per broker. Plugins (consumer groups,
 * idempotent producers, the native protocol) receive it when the broker starts and hand back
 * what they add: Kafka handlers, a producer-state hook, listener protocols.
 */
import type { TributaryConfig } from '../config/schema';
import type { ClusterKeys } from '../coordination/keys';
import type { MetadataStore } from '../coordination/metadata-store';
import type { ClusterView } from './cluster/cluster-view';
import type { KafkaHandler } from './kafka/handler';
import type { ProtocolHandler } from './net/protocols';
import type { PartitionRegistry } from './partitions/partition-registry';
import type { ProducerStateHook } from './partitions/producer-state-hook';
import type { TopicRegistry } from './topics/topic-registry';

export interface BrokerServices {
  readonly config: TributaryConfig;
  readonly store: MetadataStore;
  readonly keys: ClusterKeys;
  readonly cluster: ClusterView;
  readonly topics: TopicRegistry;
  readonly partitions: PartitionRegistry;
  /** Aborted when the broker starts shutting down: long polls answer at once. */
  readonly shutdown: AbortSignal;
}

export interface PluginInstance {
  kafkaHandlers?: KafkaHandler[];
  protocols?: ProtocolHandler[];
  close(): Promise<void>;
}

export interface BrokerPlugin {
  readonly name: string;
  /**
   * Called before partitions open. A plugin that tracks producer state returns its hook here;
   * the broker installs it on the append path of every partition.
   */
  producerStateHook?(config: TributaryConfig, store: MetadataStore, keys: ClusterKeys): ProducerStateHook;
  start(services: BrokerServices): Promise<PluginInstance>;
}

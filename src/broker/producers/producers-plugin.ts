/**
 * The idempotent-producer plugin: installs the producer-state hook on every partition's append
 * path (rebuilt from stored batch headers when a partition opens) and serves InitProducerId
 * from persisted producer-id blocks.
 */
import type { BrokerPlugin, BrokerServices, PluginInstance } from '../services';
import { initProducerIdHandler } from '../kafka/handlers/init-producer-id';
import { ProducerIdAllocator } from './producer-id-allocator';
import { ProducerStateManager } from './producer-state-manager';
import { storedBatchHeaders } from './stored-batch-headers';

export function producersPlugin(): BrokerPlugin {
  return {
    name: 'idempotent-producers',
    producerStateHook: () => new ProducerStateManager(storedBatchHeaders),
    async start(services: BrokerServices): Promise<PluginInstance> {
      const allocator = new ProducerIdAllocator(services.store, services.keys.producerIds);
      return { kafkaHandlers: [initProducerIdHandler(allocator)], close: async () => undefined };
    },
  };
}

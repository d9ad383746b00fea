/**
 * The native protocol as a broker plugin: builds the native context on the broker's services
 * and registers a listener protocol claiming connections whose first byte is the native magic
 * (0xB7, a byte no Kafka request starts with). Auth tokens, when wanted, come from
 * TRIBUTARY_NATIVE_AUTH_TOKENS (comma-separated).
 */
import type { Socket } from 'node:net';
import { NATIVE_LIMITS } from '../../limits';
import { NATIVE_MAGIC } from '../../protocol/native/frame';
import type { ProtocolHandler } from '../net/protocols';
import type { BrokerPlugin, BrokerServices, PluginInstance } from '../services';
import { kafkaRecordCodec } from './kafka-record-codec';
import type { NativeContext } from './native-context';
import { NativeConnection } from './native-connection';
import { NamespaceRegistry } from './namespaces';
import { ProducerRegistry } from './producer-registry';
import { Publisher } from './publisher';
import { SubscriptionRegistry, SubscriptionTuning } from './subscriptions/subscription-registry';
import { TopicMetaRegistry } from './topic-meta';

export interface NativeOptions {
  authTokens: string[] | null;
  tuning: SubscriptionTuning;
}

export function nativeOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): NativeOptions {
  const tokens = env.TRIBUTARY_NATIVE_AUTH_TOKENS?.split(',').map((t) => t.trim()).filter((t) => t.length > 0) ?? [];
  const ackTimeoutMs = Number(env.TRIBUTARY_NATIVE_ACK_TIMEOUT_MS ?? NATIVE_LIMITS.ackTimeoutMsDefault);
  const maxRedeliveries = Number(env.TRIBUTARY_NATIVE_MAX_REDELIVERIES ?? NATIVE_LIMITS.maxRedeliveriesDefault);
  return { authTokens: tokens.length > 0 ? tokens : null, tuning: { ackTimeoutMs, maxRedeliveries, tickMs: 50 } };
}

export async function startNative(services: BrokerServices, options: NativeOptions): Promise<PluginInstance> {
  const namespaces = await NamespaceRegistry.open(services.store, services.keys);
  const topicMeta = new TopicMetaRegistry(services.store, services.keys);
  const publisher = new Publisher(services, kafkaRecordCodec, namespaces, topicMeta);
  const subscriptions = new SubscriptionRegistry(services, kafkaRecordCodec, publisher, options.tuning);
  const context: NativeContext = {
    services, publisher, subscriptions, namespaces, topicMeta,
    producers: new ProducerRegistry(),
    authTokens: options.authTokens ? new Set(options.authTokens) : null,
  };
  const protocol: ProtocolHandler = {
    name: 'native',
    claims: (firstByte) => firstByte === NATIVE_MAGIC,
    accept: (socket: Socket) => new NativeConnection(socket, context),
  };
  return {
    protocols: [protocol],
    async close() {
      await subscriptions.close();
      await namespaces.close();
    },
  };
}

export function nativePlugin(options: () => NativeOptions = () => nativeOptionsFromEnv()): BrokerPlugin {
  return { name: 'native', start: (services) => startNative(services, options()) };
}

/**
 * The native protocol as a broker plugin: builds the native context on the broker's services
 * and registers a listener protocol claiming connections whose first byte is the native magic
 * (0xB7, a byte no Kafka request starts with). Its settings are the config's `native` section
 * (YAML, TRIBUTARY_NATIVE_* variables; docs/configuration.md).
 */
import type { Socket } from 'node:net';
import { parseHostPort } from '../../config/knobs';
import type { TributaryConfig } from '../../config/schema';
import { NATIVE_MAGIC } from '../../protocol/native/frame';
import { Listener } from '../net/listener';
import { ProtocolHandler, ProtocolRegistry } from '../net/protocols';
import type { BrokerPlugin, BrokerServices, PluginInstance } from '../services';
import { kafkaRecordCodec } from './kafka-record-codec';
import type { NativeContext } from './native-context';
import { NativeConnection } from './native-connection';
import { NamespaceRegistry } from './namespaces';
import { ProducerRegistry } from './producer-registry';
import { Publisher } from './publisher';
import { SubscriptionRegistry, SubscriptionTuning } from './subscriptions/subscription-registry';
import { TopicMetaRegistry } from './topic-meta';

/** Period of the subscriptions' timer (ack timeouts, nack backoff, ownership checks). */
const SUBSCRIPTION_TICK_MS = 50;

export interface NativeOptions {
  authTokens: string[] | null;
  tuning: SubscriptionTuning;
  /** `host:port` of a native-only listener, besides the shared one; null for none. */
  listen?: string | null;
}

/** The native settings of a broker config (section `native`). */
export function nativeOptionsFromConfig(config: TributaryConfig): NativeOptions {
  const { authTokens, ackTimeoutMs, maxRedeliveries, listen } = config.native;
  return {
    authTokens: authTokens.length > 0 ? [...authTokens] : null,
    tuning: { ackTimeoutMs, maxRedeliveries, tickMs: SUBSCRIPTION_TICK_MS },
    listen: listen === '' ? null : listen,
  };
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
  const ownListener = options.listen ? await startNativeListener(options.listen, protocol, services.config.broker.connectionsMax) : null;
  return {
    protocols: [protocol],
    async close() {
      await ownListener?.close();
      await subscriptions.close();
      await namespaces.close();
    },
  };
}

/** A native-only port: connections that do not start with the native magic are closed. */
async function startNativeListener(address: string, protocol: ProtocolHandler, connectionsMax: number): Promise<Listener> {
  const { host, port } = parseHostPort(address, 'native.listen');
  const refuse: ProtocolHandler = {
    name: 'not-native',
    claims: () => true,
    accept: (socket) => {
      socket.destroy();
      return { close: async () => undefined };
    },
  };
  const registry = new ProtocolRegistry(refuse);
  registry.register(protocol);
  const listener = new Listener({ host, port, connectionsMax, protocols: registry });
  await listener.start();
  return listener;
}

export function nativePlugin(options: (config: TributaryConfig) => NativeOptions = nativeOptionsFromConfig): BrokerPlugin {
  return { name: 'native', start: (services) => startNative(services, options(services.config)) };
}

/**
 * The native protocol as a broker plugin: builds the native context on the broker's services
 * and registers a listener protocol claiming connections whose first byte is the native magic
 * (0xB7, a byte no Kafka request starts with). Auth tokens, when wanted, come from
 * TRIBUTARY_NATIVE_AUTH_TOKENS (comma-separated).
 */
import type { Socket } from 'node:net';
import { NATIVE_LIMITS } from '../../limits';
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

export interface NativeOptions {
  authTokens: string[] | null;
  tuning: SubscriptionTuning;
  /** `host:port` of a native-only listener, besides the shared one; null for none. */
  listen?: string | null;
}

export function nativeOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): NativeOptions {
  const tokens = env.TRIBUTARY_NATIVE_AUTH_TOKENS?.split(',').map((t) => t.trim()).filter((t) => t.length > 0) ?? [];
  const ackTimeoutMs = Number(env.TRIBUTARY_NATIVE_ACK_TIMEOUT_MS ?? NATIVE_LIMITS.ackTimeoutMsDefault);
  const maxRedeliveries = Number(env.TRIBUTARY_NATIVE_MAX_REDELIVERIES ?? NATIVE_LIMITS.maxRedeliveriesDefault);
  return {
    authTokens: tokens.length > 0 ? tokens : null,
    tuning: { ackTimeoutMs, maxRedeliveries, tickMs: 50 },
    listen: env.TRIBUTARY_NATIVE_LISTEN || null,
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
  const [host, port] = splitHostPort(address);
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

function splitHostPort(address: string): [string, number] {
  const i = address.lastIndexOf(':');
  const port = Number(address.slice(i + 1));
  if (i <= 0 || !Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`TRIBUTARY_NATIVE_LISTEN must be HOST:PORT, not "${address}"`);
  return [address.slice(0, i), port];
}

export function nativePlugin(options: () => NativeOptions = () => nativeOptionsFromEnv()): BrokerPlugin {
  return { name: 'native', start: (services) => startNative(services, options()) };
}

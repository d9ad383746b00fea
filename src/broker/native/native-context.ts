/**
 * Everything native handlers use, built once per broker by the plugin, and the per-connection
 * session they act on.
 */
import type { PushedMessage } from '../../protocol/native/codec';
import type { NativeMessage, SchemaInfo } from '../../protocol/native/messages';
import type { BrokerServices } from '../services';
import type { NamespaceRegistry } from './namespaces';
import type { ProducerRegistry } from './producer-registry';
import type { Publisher } from './publisher';
import type { SubscriptionEntry, SubscriptionRegistry } from './subscriptions/subscription-registry';
import type { StoredRun } from './subscriptions/types';
import type { TopicMetaRegistry } from './topic-meta';
import type { NativeTopicName } from './topic-names';

export interface NativeContext {
  readonly services: BrokerServices;
  readonly publisher: Publisher;
  readonly subscriptions: SubscriptionRegistry;
  readonly producers: ProducerRegistry;
  readonly namespaces: NamespaceRegistry;
  readonly topicMeta: TopicMetaRegistry;
  /** null: no authentication. */
  readonly authTokens: ReadonlySet<string> | null;
}

export interface SessionProducer {
  topic: NativeTopicName;
  partitions: number;
  schema: SchemaInfo;
  maxMessageBytes: number | undefined;
  /** Key in the ProducerRegistry. */
  registryId: string;
}

export interface SessionConsumer {
  entry: SubscriptionEntry;
  /** Id of the consumer inside its subscription. */
  subscriptionConsumerId: string;
}

export interface Session {
  readonly context: NativeContext;
  readonly connectionId: number;
  readonly remote: string;
  connected: boolean;
  /** The version CONNECT negotiated (0 before it). */
  protocolVersion: number;
  clientName: string;
  readonly producers: Map<number, SessionProducer>;
  readonly consumers: Map<number, SessionConsumer>;
  /** Writes a push frame (requestId 0) to the client. */
  push(message: NativeMessage): void;
  /** Writes a MESSAGE push for one of the session's consumers. */
  /** A message of `batch` (an uncompressed stored batch) may go out in a MESSAGE_BATCH with its neighbours. */
  pushMessage(consumerId: number, message: PushedMessage & { batch?: Buffer }, redeliveryCount: number): void;
  /** First delivery of a run of one stored batch (a MESSAGE_BATCH where the protocol and the run allow). */
  pushRun(consumerId: number, run: StoredRun): void;
  /** True once the connection closed: handlers that finish later release what they opened. */
  isClosed(): boolean;
  /** True while unflushed bytes to the client exceed the pending-write limit. */
  backpressured(): boolean;
}

export type NativeHandler = (session: Session, message: NativeMessage, requestId: number) => Promise<NativeMessage | null>;

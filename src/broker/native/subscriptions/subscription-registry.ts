/**
 * The subscriptions this broker dispatches, one per (topic, name): created on first subscribe
 * with their cursors loaded from the MetadataStore (reliable topics) or placed at the initial
 * position, fed by a SubscriptionReader, persisted by a CursorStore, and ticked for ack
 * timeouts and nack backoffs. Enforces the namespace's maxConsumersPerTopic.
 */
import type { InitialPosition, SubscriptionType } from '../../../protocol/native/messages';
import { NATIVE_LIMITS } from '../../../limits';
import type { BrokerServices } from '../../services';
import type { Partition } from '../../partitions/partition';
import { NativeError } from '../native-error';
import { ownershipOf } from '../ownership';
import type { Publisher } from '../publisher';
import type { NativeRecordCodec } from '../record-codec';
import type { NativeTopicName } from '../topic-names';
import { PartitionCursor } from './cursor';
import { CursorStore } from './cursor-store';
import { initialOffset } from './initial-position';
import { Subscription } from './subscription';
import { SubscriptionReader } from './subscription-reader';
import type { Clock, StoredMessage, SubscriptionConsumer } from './types';

export interface SubscribeRequest {
  topic: NativeTopicName;
  subscription: string;
  type: SubscriptionType;
  initialPosition: InitialPosition;
  positionValue: bigint;
  reliable: boolean;
  maxConsumers?: number;
}

export interface SubscriptionEntry {
  readonly topic: NativeTopicName;
  readonly subscription: Subscription;
  readonly reader: SubscriptionReader;
  readonly cursors: CursorStore | null;
  readonly partitions: Partition[];
}

export interface SubscriptionTuning {
  ackTimeoutMs: number;
  maxRedeliveries: number;
  tickMs: number;
  /** Subscriptions loaded at once (default NATIVE_LIMITS.subscriptionsMax). */
  subscriptionsMax?: number;
}

const SUBSCRIPTION_NAME = /^[a-zA-Z0-9._-]{1,128}$/;

export class SubscriptionRegistry {
  private readonly entries = new Map<string, Promise<SubscriptionEntry>>();
  private readonly ticker: NodeJS.Timeout;
  private readonly clock: Clock = { nowMs: () => Date.now() };

  constructor(
    private readonly services: BrokerServices,
    private readonly codec: NativeRecordCodec,
    private readonly publisher: Publisher,
    private readonly tuning: SubscriptionTuning,
  ) {
    this.ticker = setInterval(() => this.tickAll(), tuning.tickMs);
    this.ticker.unref();
    services.topics.on('deleted', (record) => void this.dropTopic(record.name));
  }

  /** A deleted topic takes its subscriptions along: consumers are told, readers stop, persisted cursors go. */
  private async dropTopic(kafkaTopic: string): Promise<void> {
    for (const [key, entry] of [...this.settled]) {
      if (!key.startsWith(`${kafkaTopic}\u0000`)) continue;
      await this.unload(key, entry);
      await entry.cursors?.remove().catch(() => undefined);
    }
  }

  /**
   * Stops dispatching a subscription here: its consumers are closed (they look the topic up
   * again), the reader stops and the cursor is flushed for whoever serves the topic next.
   */
  private async unload(key: string, entry: SubscriptionEntry): Promise<void> {
    if (this.settled.get(key) !== entry) return;
    this.settled.delete(key);
    this.entries.delete(key);
    entry.subscription.evictAll();
    await entry.reader.close();
    await entry.cursors?.close();
  }

  async subscribe(request: SubscribeRequest, consumer: SubscriptionConsumer): Promise<SubscriptionEntry> {
    if (!SUBSCRIPTION_NAME.test(request.subscription)) {
      throw new NativeError('invalidRequest', `subscription name "${request.subscription}" must be 1-128 chars of [a-zA-Z0-9._-]`);
    }
    const entry = await this.entryFor(request);
    if (request.maxConsumers !== undefined && this.consumerCount(request.topic.kafka) >= request.maxConsumers) {
      throw new NativeError('policyViolation', `topic ${request.topic.full} reached its namespace limit of ${request.maxConsumers} consumers`);
    }
    entry.subscription.addConsumer(consumer, request.type);
    entry.reader.wake();
    return entry;
  }

  consumerCount(kafkaTopic: string): number {
    let count = 0;
    for (const [key, entry] of this.settled) if (key.startsWith(`${kafkaTopic}\u0000`)) count += entry.subscription.consumerCount();
    return count;
  }

  /** Settled entries of a topic (for admin). */
  listOf(kafkaTopic: string): SubscriptionEntry[] {
    return [...this.settled].filter(([key]) => key.startsWith(`${kafkaTopic}\u0000`)).map(([, e]) => e);
  }

  async delete(kafkaTopic: string, name: string): Promise<void> {
    const key = `${kafkaTopic}\u0000${name}`;
    const entry = await this.entries.get(key)?.catch(() => null);
    if (entry && entry.subscription.consumerCount() > 0) {
      throw new NativeError('invalidRequest', `subscription ${name} still has consumers: ${entry.subscription.consumerNames().join(', ')}`);
    }
    this.entries.delete(key);
    this.settled.delete(key);
    if (entry) await entry.reader.close();
    // remove() also stops a pending flush that would write the cursor back.
    if (entry?.cursors) await entry.cursors.remove();
    else await this.services.store.txn([], [{ type: 'delete', key: CursorStore.keyOf(this.services.keys, kafkaTopic, name) }]);
  }

  /** Names of persisted subscriptions of a topic (including ones not loaded here). */
  async persistedNames(kafkaTopic: string): Promise<string[]> {
    const prefix = `${this.services.keys.subscriptionsPrefix}${kafkaTopic}/`;
    return (await this.services.store.list(prefix)).map((kv) => kv.key.slice(prefix.length));
  }

  async close(): Promise<void> {
    clearInterval(this.ticker);
    const all = await Promise.all([...this.entries.values()].map((p) => p.catch(() => null)));
    this.entries.clear();
    this.settled.clear();
    await Promise.all(all.map(async (e) => {
      if (!e) return;
      await e.reader.close();
      await e.cursors?.close();
    }));
  }

  private readonly settled = new Map<string, SubscriptionEntry>();

  private entryFor(request: SubscribeRequest): Promise<SubscriptionEntry> {
    const key = `${request.topic.kafka}\u0000${request.subscription}`;
    let entry = this.entries.get(key);
    if (!entry) {
      const max = this.tuning.subscriptionsMax ?? NATIVE_LIMITS.subscriptionsMax;
      if (this.entries.size >= max) {
        return Promise.reject(new NativeError('policyViolation', `this broker already dispatches ${max} subscriptions`));
      }
      entry = this.load(request);
      this.entries.set(key, entry);
      entry.then((e) => this.settled.set(key, e), () => this.entries.delete(key));
    }
    return entry;
  }

  private async load(request: SubscribeRequest): Promise<SubscriptionEntry> {
    const record = await this.publisher.ensureTopic(request.topic);
    const partitions = await Promise.all(Array.from({ length: record.partitions }, (_, p) => this.services.partitions.get(record.name, p)));
    const storeKey = CursorStore.keyOf(this.services.keys, record.name, request.subscription);
    const loaded = request.reliable ? await CursorStore.load(this.services.store, storeKey) : { cursors: null, revision: 0n };
    const cursors = loaded.cursors ?? new Map<number, PartitionCursor>();
    for (let p = 0; p < partitions.length; p++) {
      if (!cursors.has(p)) cursors.set(p, new PartitionCursor(await initialOffset(partitions[p], request, this.codec)));
    }
    let store: CursorStore | null = null;
    // Assigned once the entry exists; read by the conflict callback.
    let entry: SubscriptionEntry | undefined;
    const subscription = new Subscription({
      topic: request.topic.full,
      name: request.subscription,
      type: request.type,
      ackTimeoutMs: this.tuning.ackTimeoutMs,
      maxRedeliveries: this.tuning.maxRedeliveries,
      nackBackoffMsMin: NATIVE_LIMITS.nackBackoffMsMin,
      nackBackoffMsMax: NATIVE_LIMITS.nackBackoffMsMax,
      bufferMessagesMax: NATIVE_LIMITS.dispatchBufferMessagesMax,
      consumerUnackedMessagesMax: NATIVE_LIMITS.consumerUnackedMessagesMax,
      consumerPermitsMax: NATIVE_LIMITS.consumerPermitsMax,
      clock: this.clock,
      deadLetter: (message) => this.deadLetter(record.name, request.subscription, message),
      onCursorChange: () => store?.changed(),
    }, cursors);
    if (request.reliable) {
      store = new CursorStore(this.services.store, storeKey, () => ({
        type: subscription.type,
        partitions: Object.fromEntries(subscription.partitions().map((p) => [String(p), subscription.cursor(p)!.toState()])),
      }), NATIVE_LIMITS.cursorFlushMs, loaded.revision, () => {
        // Another broker wrote this cursor: it serves the subscription now.
        if (entry) void this.unload(`${record.name}\u0000${request.subscription}`, entry);
      }, CursorStore.epochFence(this.services, record.name));
      if (!loaded.cursors) {
        store.changed();
        await store.flush();
      }
    }
    const reader = new SubscriptionReader(subscription, partitions, this.codec);
    reader.start();
    entry = { topic: request.topic, subscription, reader, cursors: store, partitions };
    return entry;
  }

  private async deadLetter(kafkaTopic: string, subscription: string, message: StoredMessage): Promise<void> {
    const dlq = `${kafkaTopic}-${subscription}-DLQ`;
    await this.publisher.ensureTopic({ namespace: 'default', local: dlq, full: `/default/${dlq}`, kafka: dlq });
    const headers = [...message.headers, { key: 'tributary-dlq-origin', value: Buffer.from(`${kafkaTopic}/${message.partition}/${message.offset}`) }];
    await this.publisher.publish(dlq, 0, [{ key: message.key, timestampMs: message.publishTimeMs, headers, payload: message.payload }]);
  }

  private tickAll(): void {
    for (const [key, entry] of [...this.settled]) {
      // The topic moved to another broker, or is moving: hand the subscription over (clients re-look-up).
      if (ownershipOf(this.services, entry.topic.kafka).kind !== 'self') {
        void this.unload(key, entry);
        continue;
      }
      entry.subscription.tick();
      entry.reader.wake();
    }
  }
}

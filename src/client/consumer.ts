/**
 * A native consumer: an async iterator of messages with ack/nack. It grants the broker
 * receiverQueueSize permits and tops them up as messages are taken, so at most that many
 * messages wait in memory. After a lost connection it re-looks-up, re-subscribes and drops its
 * not-yet-taken messages (the broker redelivers them); acks of messages taken earlier still apply.
 */
import { EventEmitter } from 'node:events';
import { NATIVE_LIMITS } from '../limits';
import type { InitialPosition, MessageId, NativeMessage, SchemaType, SubscriptionType } from '../protocol/native/messages';
import type { ClientConnection, PushMessage } from './client-connection';
import { TributaryClient, withRetry } from './client';
import { ConnectionLostError } from './errors';
import { MessageQueue } from './message-queue';
import { BatchMessages, Received, type ReceivedMessage } from './received';

export type { ReceivedMessage } from './received';

export interface ConsumerOptions {
  topic: string;
  subscription: string;
  type?: SubscriptionType;
  name?: string;
  /** Failover: lower is preferred. */
  priority?: number;
  initialPosition?: 'earliest' | 'latest' | { offset: bigint } | { timestampMs: bigint };
  receiverQueueSize?: number;
  /** Wait for the broker to persist each ack (default false: fire and forget). */
  ackReceipts?: boolean;
  /** How value() decodes payloads (default bytes). */
  schema?: SchemaType;
}

type Waiter = { resolve(m: ReceivedMessage | null): void };

export class Consumer extends EventEmitter<{ activeChange: [boolean] }> implements AsyncIterable<ReceivedMessage> {
  readonly consumerId: number;
  private connection: ClientConnection | null = null;
  private readonly queue = new MessageQueue<ReceivedMessage>();
  private waiters: Waiter[] = [];
  private takenSinceFlow = 0;
  private pendingAcks: MessageId[] = [];
  private rebinding = false;
  private closed = false;
  private active: boolean | null = null;
  private readonly queueSize: number;

  constructor(private readonly client: TributaryClient, private readonly options: ConsumerOptions) {
    super();
    this.consumerId = client.nextHandleId();
    this.queueSize = options.receiverQueueSize ?? NATIVE_LIMITS.clientReceiverQueueMessages;
  }

  /** Failover: whether the broker made this consumer the active one (null before any notice). */
  get isActive(): boolean | null {
    return this.active;
  }

  /** Messages received and not yet taken (never more than receiverQueueSize). */
  bufferedCount(): number {
    return this.queue.length;
  }

  async start(): Promise<void> {
    await this.bind();
  }

  /** The next message, or null once closed (or after timeoutMs with nothing). */
  receive(timeoutMs?: number): Promise<ReceivedMessage | null> {
    const next = this.queue.shift();
    if (next) {
      this.taken();
      return Promise.resolve(next);
    }
    if (this.closed) return Promise.resolve(null);
    return new Promise((resolve) => {
      const waiter: Waiter = { resolve };
      this.waiters.push(waiter);
      if (timeoutMs !== undefined) {
        setTimeout(() => {
          const i = this.waiters.indexOf(waiter);
          if (i >= 0) {
            this.waiters.splice(i, 1);
            resolve(null);
          }
        }, timeoutMs);
      }
    });
  }

  /**
   * A plain iterator rather than an async generator: a generator costs several promises per
   * message (resume, await, yield), this one a single resolved promise when a message is queued.
   */
  [Symbol.asyncIterator](): AsyncIterator<ReceivedMessage> {
    const done: IteratorReturnResult<undefined> = { done: true, value: undefined };
    const result = (message: ReceivedMessage | null): IteratorResult<ReceivedMessage> => (message === null ? done : { done: false, value: message });
    return {
      next: () => {
        const queued = this.queue.shift();
        if (queued === undefined) return this.receive().then(result);
        this.taken();
        return Promise.resolve({ done: false, value: queued });
      },
      return: () => Promise.resolve(done),
    };
  }

  ack(message: MessageId | MessageId[]): Promise<void> {
    if (!this.options.ackReceipts && this.connection && !this.connection.closed) {
      // Fire-and-forget acks of one tick travel in one ACK frame.
      if (this.pendingAcks.length === 0) process.nextTick(() => this.flushAcks());
      this.pendingAcks.push(...ids(message));
      return Promise.resolve();
    }
    return this.acknowledge({ type: 'ack', consumerId: this.consumerId, ackType: 'individual', ids: ids(message) });
  }

  private flushAcks(): void {
    const batch = this.pendingAcks;
    this.pendingAcks = [];
    if (batch.length > 0) this.connection?.fireAndForget({ type: 'ack', consumerId: this.consumerId, ackType: 'individual', ids: batch });
  }

  /** Everything up to and including this message on its partition (Exclusive, Failover). */
  ackCumulative(message: MessageId): Promise<void> {
    return this.acknowledge({ type: 'ack', consumerId: this.consumerId, ackType: 'cumulative', ids: ids(message) });
  }

  nack(message: MessageId | MessageId[]): Promise<void> {
    return this.acknowledge({ type: 'nack', consumerId: this.consumerId, ids: ids(message) });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.client.forget(this);
    this.flushAcks();
    for (const w of this.waiters.splice(0)) w.resolve(null);
    const connection = this.connection;
    this.connection = null;
    connection?.offPush(this.consumerId);
    if (connection && !connection.closed) await connection.request({ type: 'closeConsumer', consumerId: this.consumerId }).catch(() => undefined);
  }

  private async acknowledge(message: NativeMessage): Promise<void> {
    this.flushAcks();
    const connection = this.connection;
    if (!connection || connection.closed) throw new ConnectionLostError('consumer is not connected; the message will be redelivered');
    if (this.options.ackReceipts) await connection.request(message);
    else connection.fireAndForget(message);
  }

  private taken(): void {
    this.takenSinceFlow++;
    if (this.takenSinceFlow >= Math.max(1, this.queueSize >> 1)) {
      this.connection?.fireAndForget({ type: 'flow', consumerId: this.consumerId, permits: this.takenSinceFlow });
      this.takenSinceFlow = 0;
    }
  }

  private onPush(message: PushMessage): void {
    if (message.type === 'closeConsumer') {
      this.rebind();
      return;
    }
    if (message.type === 'activeConsumerChange') {
      this.active = message.active;
      this.emit('activeChange', message.active);
      return;
    }
    if (message.type === 'messageBatch') {
      this.onBatch(message);
      return;
    }
    this.enqueue(new Received(
      this.options.topic, message.partition, message.offset, message.publishTimeMs, message.key, message.headers,
      message.payload, message.redeliveryCount, this.options.schema ?? 'bytes',
    ));
  }

  /**
   * A MESSAGE_BATCH: the records of the batch (or slice) within its offset range, in order (spec
   * §3.2), queued as one source whose messages are made as they are taken.
   */
  private onBatch(message: Extract<PushMessage, { type: 'messageBatch' }>): void {
    const { batch, firstOffset, lastOffset, partition } = message;
    this.queue.pushSource(new BatchMessages(this.options.topic, partition, batch, firstOffset, lastOffset, this.options.schema ?? 'bytes'));
    this.serveWaiters();
  }

  private enqueue(received: Received): void {
    this.queue.push(received);
    this.serveWaiters();
  }

  /** Waiters exist only while the queue is empty: hand them what just arrived. */
  private serveWaiters(): void {
    while (this.waiters.length > 0 && this.queue.length > 0) {
      const waiter = this.waiters.shift()!;
      this.taken();
      waiter.resolve(this.queue.shift()!);
    }
  }

  private async bind(): Promise<void> {
    const { connection } = await this.client.lookup(this.options.topic);
    const position = this.options.initialPosition ?? 'latest';
    const [initialPosition, positionValue]: [InitialPosition, bigint] = typeof position === 'string'
      ? [position, 0n]
      : 'offset' in position ? ['offset', position.offset] : ['timestamp', position.timestampMs];
    connection.onPush(this.consumerId, (m) => this.onPush(m));
    await connection.request({
      type: 'subscribe', consumerId: this.consumerId, topic: this.options.topic, subscription: this.options.subscription,
      subscriptionType: this.options.type ?? 'exclusive', consumerName: this.options.name ?? `consumer-${this.consumerId}`,
      priority: this.options.priority ?? 0, initialPosition, positionValue,
    });
    this.connection = connection;
    this.queue.clear();
    this.takenSinceFlow = 0;
    connection.fireAndForget({ type: 'flow', consumerId: this.consumerId, permits: this.queueSize });
    connection.once('close', () => {
      if (this.connection === connection) this.rebind();
    });
  }

  /** Lost connection or closed by the broker (topic moved): look up, subscribe again, start permits over. */
  private rebind(): void {
    if (this.closed || this.rebinding) return;
    this.rebinding = true;
    this.connection?.offPush(this.consumerId);
    this.connection = null;
    // Messages not yet taken will be redelivered by the broker.
    this.queue.clear();
    withRetry(() => this.bind(), () => this.closed || this.client.isClosed).then(
      () => {
        this.rebinding = false;
      },
      () => {
        this.rebinding = false;
        if (!this.closed) void this.close();
      },
    );
  }
}

function ids(message: MessageId | MessageId[]): MessageId[] {
  return (Array.isArray(message) ? message : [message]).map((m) => ({ partition: m.partition, offset: m.offset }));
}

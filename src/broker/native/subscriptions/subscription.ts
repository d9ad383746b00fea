/**
 * Dispatch of one subscription: which consumer gets which message, permits, outstanding
 * (delivered, unacked) messages, redelivery after ack timeout / nack / consumer loss, dead
 * letters, and the per-partition cursors. Exclusive and Failover subscriptions take undecoded
 * runs of stored batches (stored-runs.ts) and deliver and track them in ranges (run-delivery.ts);
 * Shared and Key_Shared dispatch decodes runs into single messages. Pure logic: no I/O, time from an injected clock; the
 * broker feeds it messages read from the log (offer), persists cursors (onCursorChange) and calls
 * tick() periodically. Semantics: docs/native-protocol.md §8.
 */
import type { MessageId, SubscriptionType } from '../../../protocol/native/messages';
import { componentLogger } from '../../../log';
import { NativeError } from '../native-error';
import type { PartitionCursor } from './cursor';
import { ConsumerPicker } from './consumer-picker';
import { failoverOrder } from './selectors';
import { insertInOrder, Outstanding, Queued, queued } from './queued';
import { type ConsumerState, RunDelivery } from './run-delivery';
import { isRun, runLength, type StoredItem } from './stored-runs';
import { messageKey, MessageKey, StoredMessage, StoredRun, SubscriptionConsumer, SubscriptionOptions } from './types';

const log = componentLogger('native-subscription');

export class Subscription {
  private subscriptionType: SubscriptionType;
  private readonly consumers = new Map<string, ConsumerState>();
  private readonly readOffsets = new Map<number, bigint>();
  /** First deliveries waiting, in offset order per partition: runs only while the type is Exclusive or Failover. */
  private buffer: Array<Queued | StoredRun> = [];
  private redeliver: Queued[] = [];
  /** Delivered, unacked messages in delivery order (ack timeouts scan from the oldest). */
  private readonly outstanding = new Map<MessageKey, Outstanding>();
  /** Runs delivered in ranges (Exclusive, Failover) and not yet fully acked. */
  private readonly runs: RunDelivery;
  private readonly deadLettering = new Set<MessageKey>();
  private activeId: string | null = null;
  private readonly picker: ConsumerPicker;
  private dispatching = false;
  private redeliveredTotal = 0;
  /** True while outstanding messages were delivered in offset order per partition (no redelivery among them). */
  private deliveredInOrder = true;

  constructor(private readonly options: SubscriptionOptions, private readonly cursors: Map<number, PartitionCursor>) {
    this.subscriptionType = options.type;
    this.picker = new ConsumerPicker(options.consumerUnackedMessagesMax);
    for (const [partition, cursor] of cursors) this.readOffsets.set(partition, cursor.markDelete());
    this.runs = new RunDelivery({
      cursors, consumerUnackedMessagesMax: options.consumerUnackedMessagesMax,
      consumerState: (id) => this.consumers.get(id), requeue: (item) => this.requeue(item),
    });
  }

  get type(): SubscriptionType {
    return this.subscriptionType;
  }

  get name(): string {
    return this.options.name;
  }

  consumerNames(): string[] {
    return [...this.consumers.values()].map((s) => s.consumer.name);
  }

  consumerCount(): number {
    return this.consumers.size;
  }

  cursor(partition: number): PartitionCursor | undefined {
    return this.cursors.get(partition);
  }

  partitions(): number[] {
    return [...this.cursors.keys()];
  }

  /** Messages redelivered so far (ack timeout, nack, consumer loss). */
  redeliveries(): number {
    return this.redeliveredTotal;
  }

  /** Throws consumerBusy (Exclusive taken) or subscriptionTypeMismatch. */
  addConsumer(consumer: SubscriptionConsumer, type: SubscriptionType): void {
    if (this.consumers.size > 0 && type !== this.subscriptionType) {
      throw new NativeError('subscriptionTypeMismatch', `subscription ${this.options.name} on ${this.options.topic} is ${this.subscriptionType}, not ${type}`);
    }
    if (type === 'exclusive' && this.consumers.size > 0) {
      throw new NativeError('consumerBusy', `exclusive subscription ${this.options.name} on ${this.options.topic} already has consumer ${this.consumerNames()[0]}`);
    }
    if (this.consumers.has(consumer.id)) throw new NativeError('invalidRequest', `consumer ${consumer.id} is already subscribed`);
    this.subscriptionType = type;
    if (!this.oneActive()) this.buffer = this.buffer.flatMap((item) => (isRun(item) ? this.runs.queuedOf(item) : [item]));
    this.consumers.set(consumer.id, { consumer, permits: 0, unacked: 0 });
    if (type === 'failover') {
      this.electActive();
      if (this.activeId !== consumer.id) consumer.activeChanged(false);
    } else if (type === 'exclusive') this.activeId = consumer.id;
    this.dispatch();
  }

  /** The consumer's unacked messages go back to the front of the line, counted as redeliveries. */
  removeConsumer(consumerId: string): void {
    const state = this.consumers.get(consumerId);
    if (!state) return;
    this.consumers.delete(consumerId);
    this.requeueAllOf(state);
    if (this.activeId === consumerId) this.activeId = null;
    if (this.subscriptionType === 'failover') this.electActive();
    this.dispatch();
  }

  /** Detaches every consumer, telling each one (the subscription is being unloaded here). */
  evictAll(): void {
    const states = [...this.consumers.values()];
    this.consumers.clear();
    this.activeId = null;
    for (const state of states) state.consumer.closedByBroker?.();
  }

  flow(consumerId: string, permits: number): void {
    const state = this.requireConsumer(consumerId);
    state.permits = Math.min(this.options.consumerPermitsMax, state.permits + permits);
    this.dispatch();
  }

  nextReadOffset(partition: number): bigint | undefined {
    return this.readOffsets.get(partition);
  }

  /** How many more messages the reader should fetch now (0 when the buffer is full or nobody has permits). */
  wanted(): number {
    if (this.consumers.size === 0) return 0;
    let permits = 0;
    for (const state of this.consumers.values()) permits += state.permits;
    let buffered = 0;
    for (const item of this.buffer) buffered += isRun(item) ? runLength(item) : 1;
    const room = this.options.bufferMessagesMax - buffered - this.redeliver.length;
    return Math.max(0, Math.min(room, permits - buffered));
  }

  /** Messages and runs read from `partition`'s log up to (not including) `nextOffset`. */
  offer(partition: number, items: StoredItem[], nextOffset: bigint): void {
    const cursor = this.cursors.get(partition);
    const from = this.readOffsets.get(partition);
    if (!cursor || from === undefined) return;
    for (const item of items) {
      if (isRun(item)) {
        // A copy within the unread range: dispatch moves its first offset as it delivers.
        const run: StoredRun = { partition, batch: item.batch, first: item.first < from ? from : item.first, last: item.last < nextOffset ? item.last : nextOffset - 1n };
        if (run.first > run.last) continue;
        if (this.oneActive()) this.buffer.push(run);
        else for (const q of this.runs.queuedOf(run)) this.buffer.push(q);
        continue;
      }
      if (item.offset < from || item.offset >= nextOffset || cursor.isAcked(item.offset)) continue;
      this.buffer.push(queued(item, 0, 0));
    }
    if (nextOffset > from) this.readOffsets.set(partition, nextOffset);
    this.dispatch();
  }

  /** The log no longer holds offsets below `offset` (retention): skip and ack them. */
  skipTo(partition: number, offset: bigint): void {
    const cursor = this.cursors.get(partition);
    const from = this.readOffsets.get(partition);
    if (!cursor || from === undefined || offset <= from) return;
    this.readOffsets.set(partition, offset);
    if (cursor.ackUpTo(offset - 1n)) this.options.onCursorChange?.(partition);
  }

  ack(ids: MessageId[]): void {
    for (const id of ids) this.ackOne(id.partition, id.offset);
    this.dispatch();
  }

  /** Acks everything up to and including the id on its partition (Exclusive and Failover only). */
  ackCumulative(id: MessageId): void {
    if (this.subscriptionType === 'shared' || this.subscriptionType === 'key_shared') {
      throw new NativeError('invalidRequest', `cumulative ack is not allowed on ${this.subscriptionType} subscription ${this.options.name}`);
    }
    const cursor = this.cursors.get(id.partition);
    if (!cursor) throw new NativeError('invalidRequest', `partition ${id.partition} is not part of ${this.options.topic}`);
    this.checkDelivered(id.partition, id.offset);
    if (id.offset < cursor.markDelete()) return;
    this.runs.ackingUpTo(id.partition, id.offset, cursor);
    cursor.ackUpTo(id.offset);
    for (const [key, out] of this.outstanding) {
      if (out.message.partition !== id.partition) continue;
      if (out.message.offset <= id.offset) this.dropOutstanding(key, out);
      // In-order deliveries: nothing later in the map is at or below the acked offset.
      else if (this.deliveredInOrder) break;
    }
    this.options.onCursorChange?.(id.partition);
    this.dispatch();
  }

  /** Redelivers after a backoff that doubles with each redelivery of the message. */
  nack(ids: MessageId[]): void {
    const now = this.options.clock.nowMs();
    for (const id of ids) {
      const key = messageKey(id.partition, id.offset);
      let out = this.outstanding.get(key);
      if (out) this.dropOutstanding(key, out);
      else out = this.runs.take(id.partition, id.offset);
      if (!out) continue;
      const count = out.redeliveryCount + 1;
      const backoff = Math.min(this.options.nackBackoffMsMax, this.options.nackBackoffMsMin * 2 ** (count - 1));
      this.requeue(queued(out.message, count, now + backoff));
    }
    this.dispatch();
  }

  /** Ack timeouts and nack backoffs that are due; call periodically. */
  tick(): void {
    const now = this.options.clock.nowMs();
    for (const [key, out] of this.outstanding) {
      // Delivery order: the first one not yet due means none after it is due.
      if (now - out.deliveredAtMs < this.options.ackTimeoutMs) break;
      this.dropOutstanding(key, out);
      this.requeue(queued(out.message, out.redeliveryCount + 1, now));
    }
    this.runs.requeueDeliveredBy(now - this.options.ackTimeoutMs, now);
    this.dispatch();
  }

  /** A consumer's connection drained: try again what it could not take. */
  redispatch(): void {
    this.dispatch();
  }

  /** Unacked messages delivered to `consumerId` (for tests and stats). */
  unackedOf(consumerId: string): number {
    return this.consumers.get(consumerId)?.unacked ?? 0;
  }

  isActive(consumerId: string): boolean {
    return this.subscriptionType === 'shared' || this.subscriptionType === 'key_shared' || this.activeId === consumerId;
  }

  private requireConsumer(consumerId: string): ConsumerState {
    const state = this.consumers.get(consumerId);
    if (!state) throw new NativeError('unknownConsumer', `consumer ${consumerId} is not subscribed to ${this.options.name}`);
    return state;
  }

  private ackOne(partition: number, offset: bigint): void {
    const cursor = this.cursors.get(partition);
    if (!cursor) throw new NativeError('invalidRequest', `partition ${partition} is not part of ${this.options.topic}`);
    this.checkDelivered(partition, offset);
    const key = messageKey(partition, offset);
    const out = this.outstanding.get(key);
    if (out) this.dropOutstanding(key, out);
    if (!cursor.ack(offset)) return;
    if (!out) this.runs.acked(partition, offset);
    this.options.onCursorChange?.(partition);
  }

  private oneActive(): boolean {
    return this.subscriptionType === 'exclusive' || this.subscriptionType === 'failover';
  }

  /** An ack may only name a message already read for this subscription: others would skip unseen messages. */
  private checkDelivered(partition: number, offset: bigint): void {
    const readTo = this.readOffsets.get(partition) ?? 0n;
    if (offset >= readTo) {
      throw new NativeError('invalidRequest', `offset ${offset} of partition ${partition} was not delivered yet (read up to ${readTo}); it cannot be acked`);
    }
  }

  private dropOutstanding(key: MessageKey, out: Outstanding): void {
    this.outstanding.delete(key);
    if (this.outstanding.size === 0) this.deliveredInOrder = true;
    const state = this.consumers.get(out.consumerId);
    if (state) state.unacked--;
  }

  private requeueAllOf(state: ConsumerState): void {
    const now = this.options.clock.nowMs();
    for (const [key, out] of this.outstanding) {
      if (out.consumerId !== state.consumer.id) continue;
      this.outstanding.delete(key);
      this.requeue(queued(out.message, out.redeliveryCount + 1, now));
    }
    this.runs.requeueConsumer(state.consumer.id, now);
    state.unacked = 0;
  }

  /** Into the redelivery queue in (partition, offset) order, or to the dead-letter topic past the limit. */
  private requeue(item: Queued): void {
    this.redeliveredTotal++;
    if (item.redeliveryCount > this.options.maxRedeliveries && this.options.deadLetter) {
      this.sendToDeadLetter(item);
      return;
    }
    insertInOrder(this.redeliver, item);
  }

  private sendToDeadLetter(item: Queued): void {
    const { partition, offset } = item.message;
    const key = messageKey(partition, offset);
    if (this.deadLettering.has(key)) return;
    this.deadLettering.add(key);
    this.options.deadLetter!(item.message).then(
      () => {
        this.deadLettering.delete(key);
        this.ack([{ partition, offset }]);
      },
      (err: unknown) => {
        this.deadLettering.delete(key);
        log.warn({ err, topic: this.options.topic, subscription: this.options.name, offset }, 'dead-letter publish failed; message stays queued');
        this.redeliver.push(queued(item.message, item.redeliveryCount, this.options.clock.nowMs() + this.options.nackBackoffMsMax));
      },
    );
  }

  private electActive(): void {
    const next = failoverOrder([...this.consumers.values()].map((s) => s.consumer))[0]?.id ?? null;
    if (next === this.activeId) return;
    const old = this.activeId ? this.consumers.get(this.activeId) : undefined;
    this.activeId = next;
    if (old) {
      // The old active hands over: what it has not acked goes to the new active.
      this.requeueAllOf(old);
      old.consumer.activeChanged(false);
    }
    if (next) this.consumers.get(next)!.consumer.activeChanged(true);
  }

  private dispatch(): void {
    if (this.dispatching) return;
    this.dispatching = true;
    try {
      const now = this.options.clock.nowMs();
      this.redeliver = this.drain(this.redeliver, now);
      this.buffer = this.drain(this.buffer, now);
    } finally {
      this.dispatching = false;
    }
  }

  /** Delivers what it can from `queue` in order; returns what is left, order kept. */
  private drain<T extends Queued | StoredRun>(queue: T[], now: number): T[] {
    if (queue.length === 0 || !this.picker.anyCanTake(this.consumers)) return queue;
    const kept: T[] = [];
    // The partition's cursor and the active consumer are looked up again only when they change.
    let cursorPartition = -1;
    let cursor: PartitionCursor | undefined;
    const oneActive = this.subscriptionType === 'exclusive' || this.subscriptionType === 'failover';
    const activeId = this.activeId;
    const active = activeId === null ? undefined : this.consumers.get(activeId);
    let i = 0;
    for (; i < queue.length; i++) {
      const entry = queue[i];
      if (isRun(entry)) {
        // Only the buffer holds runs, and only while the type is Exclusive or Failover.
        const state = this.activeId === null ? undefined : this.consumers.get(this.activeId);
        if (!this.picker.canTake(state) || !this.runs.deliver(state, entry, now)) break;
        continue;
      }
      const item = entry as Queued;
      if (item.message.partition !== cursorPartition) {
        cursorPartition = item.message.partition;
        cursor = this.cursors.get(cursorPartition);
      }
      if (cursor?.isAcked(item.message.offset)) continue;
      if (item.notBeforeMs > now) {
        kept.push(entry);
        continue;
      }
      const state = oneActive && this.activeId === activeId ? (this.picker.canTake(active) ? active : undefined) : this.picker.pick(this.subscriptionType, this.consumers, this.activeId, item.message);
      if (!state) {
        // Key_Shared: only that key's consumer is full; others may still take later messages.
        if (this.subscriptionType === 'key_shared' && this.picker.anyCanTake(this.consumers)) {
          kept.push(entry);
          continue;
        }
        break;
      }
      this.deliver(state, item, now);
    }
    if (kept.length === 0) return i === 0 ? queue : queue.slice(i);
    return i >= queue.length ? kept : kept.concat(queue.slice(i));
  }

  private deliver(state: ConsumerState, item: Queued, now: number): void {
    const key = messageKey(item.message.partition, item.message.offset);
    state.permits--;
    state.unacked++;
    if (item.redeliveryCount > 0) this.deliveredInOrder = false;
    item.consumerId = state.consumer.id;
    item.deliveredAtMs = now;
    this.outstanding.set(key, item);
    state.consumer.push(item.message, item.redeliveryCount);
  }
}

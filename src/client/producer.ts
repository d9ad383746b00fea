/**
 * A native producer: send() queues a message and resolves with its partition and offset once
 * the broker stored it. Messages linger up to lingerMs (or until a batch is full) and go out as
 * one batch per partition: a SEND_BATCH carrying the RecordBatch the client built (a SEND to a
 * version 1 broker). At most clientProducerPendingMessagesMax messages wait at once; more
 * send() calls wait for room. After a lost connection the producer re-looks-up its topic,
 * re-creates itself and resends what was not acknowledged (at-least-once).
 */
import { NATIVE_LIMITS } from '../limits';
import { partitionForKey } from '../protocol/native/key-hash';
import { encodeMessageBatch } from '../protocol/native/message-batch';
import { SEND_BATCH_VERSION, type AccessMode, type Header, type NativeMessage, type OutgoingMessage, type SchemaInfo, type SchemaType } from '../protocol/native/messages';
import type { ClientConnection } from './client-connection';
import { TributaryClient, withRetry } from './client';
import { ConnectionLostError, TributaryError } from './errors';
import { encodeValue, toBuffer, Value } from './payload';

export interface ProducerOptions {
  topic: string;
  name?: string;
  accessMode?: AccessMode;
  schema?: SchemaType | SchemaInfo;
  lingerMs?: number;
  batchMessagesMax?: number;
  batchBytesMax?: number;
  /** Messages sent but not yet acknowledged before send() waits (default clientProducerPendingMessagesMax). */
  maxPendingMessages?: number;
}

export interface SendOptions {
  key?: string | Buffer | null;
  headers?: Record<string, string | Buffer | null>;
  timestampMs?: bigint | number;
  partition?: number;
}

export interface SendResult {
  partition: number;
  offset: bigint;
}

const NO_OPTIONS: SendOptions = Object.freeze({});
/** Shared by every message without headers; never mutated. */
const NO_HEADERS: Header[] = Object.freeze([]) as unknown as Header[];

function headersOf(headers: Record<string, string | Buffer | null>): Header[] {
  const out: Header[] = [];
  for (const key of Object.keys(headers)) {
    const v = headers[key];
    out.push({ key, value: v === null ? null : toBuffer(v) });
  }
  return out.length === 0 ? NO_HEADERS : out;
}

/** Date.now() as a bigint, converted once per millisecond rather than once per message. */
let lastNowMs = 0;
let lastNowBig = 0n;
function nowMs(): bigint {
  const now = Date.now();
  if (now !== lastNowMs) {
    lastNowMs = now;
    lastNowBig = BigInt(now);
  }
  return lastNowBig;
}

/**
 * One executor for every receipt promise: it hands resolve and reject over through `captured`
 * (the executor runs synchronously inside `new Promise`), so a send allocates no closure and
 * context of its own. Up to maxPendingMessages receipts live at once, and the garbage collector's
 * work grows with every object they hold.
 */
const captured: { resolve: (result: SendResult) => void; reject: (err: Error) => void } = { resolve: () => undefined, reject: () => undefined };
function capture(resolve: (result: SendResult) => void, reject: (err: Error) => void): void {
  captured.resolve = resolve;
  captured.reject = reject;
}

/** A queued message and its receipt callbacks in one object (it is sent as the OutgoingMessage itself). */
interface Item extends OutgoingMessage {
  partition: number;
  bytes: number;
  resolve(result: SendResult): void;
  reject(err: Error): void;
}

/** Offset of message i of a SEND (one offset each) or a SEND_BATCH (base offset + i). */
function receiptOffsets(reply: NativeMessage, count: number): (i: number) => bigint {
  if (reply.type === 'sendBatchReceipt') {
    if (reply.count !== count) throw new Error(`the broker stored ${reply.count} of ${count} messages`);
    const { baseOffset } = reply;
    return (i) => baseOffset + BigInt(i);
  }
  if (reply.type !== 'sendReceipt') throw new Error(`send got ${reply.type}`);
  const { offsets } = reply;
  return (i) => offsets[i];
}

export class Producer {
  readonly schema: SchemaInfo;
  private readonly producerId: number;
  private connection: ClientConnection | null = null;
  private binding: Promise<void> | null = null;
  private partitionCount = 1;
  private pending: Item[] = [];
  private pendingBytes = 0;
  private outstanding = 0;
  private roomWaiters: Array<() => void> = [];
  private timer: NodeJS.Timeout | null = null;
  private roundRobin = 0;
  private closed = false;
  private readonly inFlight = new Set<Promise<void>>();

  private readonly pendingMax: number;
  private readonly batchMessagesMax: number;

  constructor(private readonly client: TributaryClient, private readonly options: ProducerOptions) {
    this.producerId = client.nextHandleId();
    this.pendingMax = options.maxPendingMessages ?? NATIVE_LIMITS.clientProducerPendingMessagesMax;
    this.batchMessagesMax = options.batchMessagesMax ?? 1000;
    this.schema = typeof options.schema === 'string' ? { type: options.schema, definition: null } : options.schema ?? { type: 'bytes', definition: null };
  }

  get topic(): string {
    return this.options.topic;
  }

  get partitions(): number {
    return this.partitionCount;
  }

  async start(): Promise<void> {
    await this.ready();
  }

  /** Queues one message; resolves once the broker stored it. Not async: one promise per message, not two. */
  send(value: Value, options: SendOptions = NO_OPTIONS): Promise<SendResult> {
    if (this.closed) return Promise.reject(new ConnectionLostError('producer is closed'));
    if (this.outstanding >= this.pendingMax) return this.sendWhenRoom(value, options);
    const key = options.key === undefined || options.key === null ? null : toBuffer(options.key);
    const timestampMs = options.timestampMs === undefined ? nowMs() : BigInt(options.timestampMs);
    const headers = options.headers === undefined ? NO_HEADERS : headersOf(options.headers);
    const payload = encodeValue(value, this.schema.type);
    const partition = options.partition ?? (key ? partitionForKey(key, this.partitionCount) : this.roundRobin);
    const bytes = payload.length + (key?.length ?? 0) + 32;
    this.outstanding++;
    const receipt = new Promise<SendResult>(capture);
    this.pending.push({ key, timestampMs, headers, payload, partition, bytes, resolve: captured.resolve, reject: captured.reject });
    this.pendingBytes += bytes;
    if (this.pending.length >= this.batchMessagesMax || this.pendingBytes >= (this.options.batchBytesMax ?? 1 << 20)) this.dispatch();
    else if (!this.timer) this.timer = setTimeout(() => this.dispatch(), this.options.lingerMs ?? NATIVE_LIMITS.clientLingerMsDefault);
    return receipt;
  }

  private async sendWhenRoom(value: Value, options: SendOptions): Promise<SendResult> {
    while (this.outstanding >= this.pendingMax) await new Promise<void>((r) => this.roomWaiters.push(r));
    return this.send(value, options);
  }

  /** Sends what is queued now and waits for every outstanding receipt. */
  async flush(): Promise<void> {
    this.dispatch();
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.flush();
    this.closed = true;
    this.client.forget(this);
    const connection = this.connection;
    this.connection = null;
    if (connection && !connection.closed) await connection.request({ type: 'closeProducer', producerId: this.producerId }).catch(() => undefined);
  }

  private dispatch(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.pending.length === 0) return;
    const byPartition = new Map<number, Item[]>();
    for (const item of this.pending) {
      const list = byPartition.get(item.partition) ?? [];
      list.push(item);
      byPartition.set(item.partition, list);
    }
    this.pending = [];
    this.pendingBytes = 0;
    this.roundRobin = (this.roundRobin + 1) % this.partitionCount;
    for (const [partition, items] of byPartition) {
      const sending = this.sendItems(partition, items).finally(() => this.inFlight.delete(sending));
      this.inFlight.add(sending);
    }
  }

  private async sendItems(partition: number, items: Item[]): Promise<void> {
    // Built once and resent as it is after a reconnect (a version 1 broker gets a SEND instead).
    let batch: Buffer | null = null;
    try {
      const offsetOf = await withRetry(async () => {
        await this.ready();
        const connection = this.connection!;
        const asBatch = connection.protocolVersion >= SEND_BATCH_VERSION;
        if (asBatch) batch ??= encodeMessageBatch(items);
        const request: NativeMessage = asBatch
          ? { type: 'sendBatch', producerId: this.producerId, partition, batch: batch! }
          : { type: 'send', producerId: this.producerId, partition, messages: items };
        const reply = await connection.request(request).catch((err: unknown) => {
          // The topic moved: bind again through a fresh lookup before the retry.
          if (err instanceof TributaryError && err.codeName === 'notOwner') this.connection = null;
          throw err;
        });
        return receiptOffsets(reply, items.length);
      }, () => this.client.isClosed);
      for (let i = 0; i < items.length; i++) items[i].resolve({ partition, offset: offsetOf(i) });
    } catch (err) {
      for (const item of items) item.reject(err as Error);
    } finally {
      this.outstanding -= items.length;
      for (const w of this.roomWaiters.splice(0)) w();
    }
  }

  /** Bound to a live connection with the producer created there (single flight). */
  private ready(): Promise<void> {
    if (this.connection && !this.connection.closed) return Promise.resolve();
    this.binding ??= this.bind().finally(() => {
      this.binding = null;
    });
    return this.binding;
  }

  private async bind(): Promise<void> {
    const { connection } = await this.client.lookup(this.options.topic);
    const reply = await connection.request({
      type: 'createProducer', producerId: this.producerId, topic: this.options.topic,
      producerName: this.options.name ?? `producer-${this.producerId}`, accessMode: this.options.accessMode ?? 'shared', schema: this.schema,
    });
    if (reply.type !== 'producerCreated') throw new Error(`createProducer got ${reply.type}`);
    this.partitionCount = Math.max(1, reply.partitions);
    this.connection = connection;
  }
}

/**
 * A native producer: send() queues a message and resolves with its partition and offset once
 * the broker stored it; sendMany() queues many with one promise for all. Messages linger up to
 * lingerMs (or until a batch is full) and go out as one batch per partition: a SEND_BATCH
 * carrying the RecordBatch the client built (a SEND to a version 1 broker). The batch is
 * written as messages arrive (open-batch.ts), so what waits is bytes plus one receiver per
 * send(). At most maxPendingMessages messages wait at once; more wait for room. After a lost
 * connection the producer re-looks-up its topic, re-creates itself and resends what was not
 * acknowledged (at-least-once).
 */
import { NATIVE_LIMITS } from '../limits';
import { BATCH } from '../protocol/kafka/record-batch';
import { partitionForKey } from '../protocol/native/key-hash';
import { SEND_BATCH_VERSION, type AccessMode, type Header, type NativeMessage, type SchemaInfo, type SchemaType } from '../protocol/native/messages';
import { encodeHeaderSection, messagesOfBatch, NO_HEADER_BYTES, OpenBatch } from '../protocol/native/open-batch';
import type { ClientConnection } from './client-connection';
import { TributaryClient, withRetry } from './client';
import { ConnectionLostError, TributaryError } from './errors';
import { encodeValue, toBuffer, Value } from './payload';
import { ManyReceipt, receiptOffsets, Receiver, SendManyResult, SendResult, settleFailed, settleStored } from './send-receipts';

export type { SendManyResult, SendResult } from './send-receipts';

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
  /** Record bytes sent but not yet acknowledged before send() waits (default clientProducerPendingBytesMax). */
  maxPendingBytes?: number;
}

export interface SendOptions {
  key?: string | Buffer | null;
  headers?: Record<string, string | Buffer | null>;
  /** Milliseconds since the epoch; a safe integer (|t| < 2^53). Default: now. */
  timestampMs?: bigint | number;
  partition?: number;
}

const NO_OPTIONS: SendOptions = Object.freeze({});
/** First buffer of a producer's first batch; later batches start at the size of the one before. */
const FIRST_BATCH_BYTES = 16 * 1024;

function headerBytesOf(headers: Record<string, string | Buffer | null> | undefined): Buffer {
  if (headers === undefined) return NO_HEADER_BYTES;
  const list: Header[] = [];
  for (const key of Object.keys(headers)) {
    const v = headers[key];
    list.push({ key, value: v === null ? null : toBuffer(v) });
  }
  return encodeHeaderSection(list);
}

function timestampOf(options: SendOptions): number {
  if (options.timestampMs === undefined) return Date.now();
  const ms = Number(options.timestampMs);
  if (!Number.isSafeInteger(ms) || BigInt(ms) !== BigInt(options.timestampMs)) throw new RangeError(`timestampMs ${options.timestampMs} is not a whole number of milliseconds within ±2^53`);
  return ms;
}

/** At least the bytes a record takes in a batch: its fields, up to 3 UTF-8 bytes per string unit, 25 bytes of varints. */
function recordBytesMax(key: Buffer | null, headerBytes: Buffer, payload: Uint8Array | string): number {
  return (typeof payload === 'string' ? payload.length * 3 : payload.length) + (key === null ? 0 : key.length) + headerBytes.length + 25;
}

/**
 * One executor for every receipt promise: it hands resolve over through `captured` (the executor
 * runs synchronously inside `new Promise`), so a send allocates no closure of its own.
 */
let captured: (result: SendResult | PromiseLike<SendResult>) => void = () => undefined;
function capture(resolve: (result: SendResult | PromiseLike<SendResult>) => void): void {
  captured = resolve;
}

/** Messages queued for one partition: the batch being written and who waits for its offsets. */
interface PendingBatch {
  readonly batch: OpenBatch;
  readonly receivers: Receiver[];
}

export class Producer {
  readonly schema: SchemaInfo;
  private readonly producerId: number;
  private connection: ClientConnection | null = null;
  private binding: Promise<void> | null = null;
  private partitionCount = 1;
  private readonly open = new Map<number, PendingBatch>();
  private outstanding = 0;
  private outstandingBytes = 0;
  /**
   * Calls waiting for room, first come first served: a send() waits as a thunk that queues its
   * message when run; a sendMany() as a wake-up that returns false, as it holds the turn until its
   * continuation has queued a run (it calls pump() then).
   */
  private waiting: Array<(() => boolean) | undefined> = [];
  private waitingHead = 0;
  /** A woken sendMany() has the turn until its continuation ran. */
  private turnHeld = false;
  private timer: NodeJS.Timeout | null = null;
  private roundRobin = 0;
  private closed = false;
  private batchBytesHint = FIRST_BATCH_BYTES;
  private readonly inFlight = new Set<Promise<void>>();

  private readonly pendingMax: number;
  private readonly pendingBytesMax: number;
  private readonly batchMessagesMax: number;
  private readonly batchBytesMax: number;
  private readonly lingerMs: number;
  private readonly lingered = () => this.dispatch();

  constructor(private readonly client: TributaryClient, private readonly options: ProducerOptions) {
    this.producerId = client.nextHandleId();
    this.pendingMax = options.maxPendingMessages ?? NATIVE_LIMITS.clientProducerPendingMessagesMax;
    this.pendingBytesMax = options.maxPendingBytes ?? NATIVE_LIMITS.clientProducerPendingBytesMax;
    this.batchMessagesMax = options.batchMessagesMax ?? 1000;
    this.batchBytesMax = options.batchBytesMax ?? 1 << 20;
    this.lingerMs = options.lingerMs ?? NATIVE_LIMITS.clientLingerMsDefault;
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
    if (this.full() || this.waitingHead < this.waiting.length) return this.sendWhenRoom(value, options);
    return this.sendNow(value, options);
  }

  private sendNow(value: Value, options: SendOptions): Promise<SendResult> {
    const key = options.key === undefined || options.key === null ? null : toBuffer(options.key);
    const timestampMs = timestampOf(options);
    const headerBytes = headerBytesOf(options.headers);
    const payload = this.payloadOf(value);
    const partition = this.partitionFor(options, key);
    const receipt = new Promise<SendResult>(capture);
    this.append(partition, key, headerBytes, timestampMs, payload, captured);
    return receipt;
  }

  /**
   * Queues `values` as messages sharing `options` (key, headers, timestamp: now by default), in
   * order, all to one partition (options.partition, else by key, else the next in round robin).
   * One promise for the call, resolved once every message is stored; it rejects if one batch
   * fails for good (messages of other batches may be stored: at-least-once, as send()).
   */
  async sendMany(values: readonly Value[], options: SendOptions = NO_OPTIONS): Promise<SendManyResult> {
    if (this.closed) throw new ConnectionLostError('producer is closed');
    const key = options.key === undefined || options.key === null ? null : toBuffer(options.key);
    const headerBytes = headerBytesOf(options.headers);
    let timestampMs = timestampOf(options);
    // Payloads that cannot be encoded (JSON of a cyclic object) refuse the call before any is queued.
    const raw = this.schema.type !== 'json' && values.every((v) => typeof v === 'string' || v instanceof Uint8Array);
    const payloads = raw ? values as readonly (string | Uint8Array)[] : values.map((v) => this.payloadOf(v));
    const partition = this.partitionFor(options, key);
    const receipt = new ManyReceipt(partition, values.length);
    // Behind calls already waiting; once its turn came, at the front while it waits again.
    let turn = this.waitingHead >= this.waiting.length;
    for (let i = 0; i < payloads.length;) {
      while (!turn || this.full()) {
        this.dispatch();
        await new Promise<void>((woken) => this.wait(() => {
          this.turnHeld = true;
          woken();
          return false;
        }, turn));
        this.turnHeld = false;
        turn = true;
        if (this.closed) {
          this.pump();
          throw new ConnectionLostError('producer is closed');
        }
        if (options.timestampMs === undefined) timestampMs = Date.now();
      }
      const pending = this.pendingFor(partition, timestampMs, recordBytesMax(key, headerBytes, payloads[i]));
      const { batch } = pending;
      // As many as the batch, the pending limit and batchBytesMax take, in one run of appends.
      const room = Math.min(payloads.length - i, this.batchMessagesMax - batch.count, this.pendingMax - this.outstanding);
      const slice = receipt.slice(i);
      const bytesBefore = batch.bytes;
      slice.count = batch.appendMany(key, headerBytes, timestampMs, payloads, i, i + room, this.batchBytesMax);
      this.outstandingBytes += batch.bytes - bytesBefore;
      pending.receivers.push(slice);
      this.outstanding += slice.count;
      i += slice.count;
      if (batch.count >= this.batchMessagesMax || slice.count < room) this.dispatchPartition(partition, pending);
      else if (this.timer === null) this.timer = setTimeout(this.lingered, this.lingerMs);
    }
    this.pump();
    return receipt.promise;
  }

  private sendWhenRoom(value: Value, options: SendOptions): Promise<SendResult> {
    return new Promise<SendResult>((resolve, reject) => this.wait(() => {
      try {
        resolve(this.closed ? Promise.reject(new ConnectionLostError('producer is closed')) : this.sendNow(value, options));
      } catch (err) {
        reject(err);
      }
      return true;
    }, false));
  }

  private wait(waiter: () => boolean, front: boolean): void {
    if (!front) this.waiting.push(waiter);
    else if (this.waitingHead > 0) this.waiting[--this.waitingHead] = waiter;
    else this.waiting.unshift(waiter);
  }

  /** Lets waiting calls in, in order, while there is room (a sendMany() in turn stops it: it pumps when done). */
  private pump(): void {
    if (this.turnHeld) return;
    while (this.waitingHead < this.waiting.length && !this.full()) {
      const next = this.waiting[this.waitingHead]!;
      this.waiting[this.waitingHead++] = undefined;
      if (!next()) break;
    }
    if (this.waitingHead === this.waiting.length) {
      this.waiting = [];
      this.waitingHead = 0;
    } else if (this.waitingHead > 1024 && this.waitingHead * 2 > this.waiting.length) {
      this.waiting = this.waiting.slice(this.waitingHead);
      this.waitingHead = 0;
    }
  }

  /** At maxPendingMessages or maxPendingBytes: new messages wait for receipts. */
  private full(): boolean {
    return this.outstanding >= this.pendingMax || this.outstandingBytes >= this.pendingBytesMax;
  }

  /** Sends what is queued now and waits for every outstanding receipt. */
  async flush(): Promise<void> {
    for (;;) {
      this.dispatch();
      if (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
      else if (this.waitingHead < this.waiting.length) {
        this.pump();
        await new Promise(setImmediate);
      }
      else if (this.open.size === 0) return;
    }
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

  /** Bytes as given, or a string the batch writes as UTF-8 (no buffer of its own). */
  private payloadOf(value: Value): Uint8Array | string {
    if (value instanceof Uint8Array) return value;
    return typeof value === 'string' && this.schema.type !== 'json' ? value : encodeValue(value, this.schema.type);
  }

  private partitionFor(options: SendOptions, key: Buffer | null): number {
    return options.partition ?? (key ? partitionForKey(key, this.partitionCount) : this.roundRobin);
  }

  private append(partition: number, key: Buffer | null, headerBytes: Buffer, timestampMs: number, payload: Uint8Array | string, receiver: Receiver): void {
    const pending = this.pendingFor(partition, timestampMs, recordBytesMax(key, headerBytes, payload));
    pending.receivers.push(receiver);
    this.appendTo(pending, partition, key, headerBytes, timestampMs, payload);
  }

  /**
   * The partition's open batch; a new one when the message's timestamp does not fit the current
   * one, or when `recordBytesMax` more bytes could take it past batchBytesMax (the broker refuses a
   * batch above the topic's max.message.bytes, 1 MiB by default).
   */
  private pendingFor(partition: number, timestampMs: number, recordBytesMax: number): PendingBatch {
    let pending = this.open.get(partition);
    if (pending !== undefined && (!pending.batch.accepts(timestampMs) || pending.batch.bytes + recordBytesMax > this.batchBytesMax)) {
      this.dispatchPartition(partition, pending);
      pending = undefined;
    }
    if (pending === undefined) {
      pending = { batch: new OpenBatch(this.batchBytesHint), receivers: [] };
      this.open.set(partition, pending);
    }
    return pending;
  }

  private appendTo(pending: PendingBatch, partition: number, key: Buffer | null, headerBytes: Buffer, timestampMs: number, payload: Uint8Array | string): void {
    const { batch } = pending;
    const bytesBefore = batch.bytes;
    batch.append(key, headerBytes, timestampMs, payload);
    this.outstandingBytes += batch.bytes - bytesBefore;
    this.outstanding++;
    if (batch.count >= this.batchMessagesMax) this.dispatchPartition(partition, pending);
    else if (this.timer === null) this.timer = setTimeout(this.lingered, this.lingerMs);
  }

  /** Sends every open batch. */
  private dispatch(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    for (const [partition, pending] of this.open) this.dispatchPartition(partition, pending);
  }

  private dispatchPartition(partition: number, pending: PendingBatch): void {
    this.open.delete(partition);
    if (partition === this.roundRobin) this.roundRobin = (this.roundRobin + 1) % this.partitionCount;
    this.batchBytesHint = Math.min(Math.max(pending.batch.bytes, FIRST_BATCH_BYTES), this.batchBytesMax);
    const sending = this.sendBatch(partition, pending).finally(() => this.inFlight.delete(sending));
    this.inFlight.add(sending);
    if (this.open.size === 0 && this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
  }

  private async sendBatch(partition: number, pending: PendingBatch): Promise<void> {
    const count = pending.batch.count;
    // Built once and resent as it is after a reconnect (a version 1 broker gets a SEND instead).
    const batch = pending.batch.finish();
    try {
      const offsetOf = await withRetry(async () => {
        // Bound already (the usual case): the request is written now, in the send() that filled the
        // batch, not a microtask later after every batch the caller fills meanwhile.
        if (this.connection === null || this.connection.closed) await this.ready();
        const connection = this.connection!;
        const request: NativeMessage = connection.protocolVersion >= SEND_BATCH_VERSION
          ? { type: 'sendBatch', producerId: this.producerId, partition, batch }
          : { type: 'send', producerId: this.producerId, partition, messages: messagesOfBatch(batch) };
        const reply = await connection.request(request).catch((err: unknown) => {
          // The topic moved: bind again through a fresh lookup before the retry.
          if (err instanceof TributaryError && err.codeName === 'notOwner') this.connection = null;
          throw err;
        });
        return receiptOffsets(reply, count);
      }, () => this.client.isClosed);
      settleStored(pending.receivers, partition, offsetOf);
    } catch (err) {
      settleFailed(pending.receivers, err as Error);
    } finally {
      this.outstanding -= count;
      this.outstandingBytes -= batch.length - BATCH.headerBytes;
      this.pump();
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

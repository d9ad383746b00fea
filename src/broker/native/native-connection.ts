/**
 * One native client connection: frames, decodes, dispatches through the handler table, and
 * writes replies in request order (handlers may run concurrently). Pushes (MESSAGE,
 * ACTIVE_CONSUMER_CHANGE) of one tick leave together in one write; consumer permits bound them. Reading pauses past
 * the in-flight limits or while unflushed bytes exceed the pending-write limit. A frame that does
 * not decode gets an ERROR and the connection goes on; bytes that do not frame get an ERROR and
 * a close. Closing releases every producer and consumer (their unacked messages are redelivered).
 */
import type { Socket } from 'node:net';
import { CONNECTION_LIMITS, NATIVE_LIMITS } from '../../limits';
import { componentLogger } from '../../log';
import {
  decodeNativeFrame, encodeNativeFrame, encodeNativeMessage, MESSAGE_BATCH_HEADER_BYTES, pushedMessageBytes, type PushedMessage, UnknownFrameTypeError,
  viewed, type ViewedBuffer, writeMessageBatchHeader, writePushedMessage,
} from '../../protocol/native/codec';
import { DecodeError } from '../../protocol/primitives/decode-error';
import { NATIVE_ERRORS } from '../../protocol/native/error-codes';
import { NativeFrame, NativeFrameAccumulator } from '../../protocol/native/frame';
import { recordSpan, writeSliceHeader } from '../../protocol/native/message-batch';
import { MESSAGE_BATCH_SLICE_VERSION, MESSAGE_BATCH_VERSION, type NativeMessage } from '../../protocol/native/messages';
import { FramedConnection } from '../net/framed-connection';
import type { ReplySlot } from '../net/ordered-replies';
import { nativeErrorFor } from './error-mapping';
import { NATIVE_HANDLERS } from './handlers';
import { releaseConsumer } from './handlers/consumer-handlers';
import { releaseProducer } from './handlers/producer-handlers';
import type { NativeContext, Session, SessionConsumer, SessionProducer } from './native-context';
import { runMessages } from './subscriptions/stored-runs';
import type { StoredRun } from './subscriptions/types';

const log = componentLogger('native-connection');

/** Push buffer chunk: many small MESSAGE frames share one allocation. */
const PUSH_CHUNK_BYTES = 64 * 1024;
/** Until the first push: connections that only produce never allocate a chunk. */
const NO_CHUNK = viewed(Buffer.alloc(0));
/*
 * Hot-path bindings copied into module constants: the tsx (esbuild) CommonJS output turns every
 * use of an imported name into a property read through a getter on the other module's exports,
 * which showed as ~10% of the broker's CPU per pushed message (--cpu-prof, "get codec.ts").
 */
const messageBytes = pushedMessageBytes;
const writeMessage = writePushedMessage;
const PUSH_WRITE_BYTES_MAX = NATIVE_LIMITS.pushWriteBytesMax;
const PENDING_WRITE_BYTES_MAX = CONNECTION_LIMITS.pendingWriteBytesMax;
const BATCH_HEADER_BYTES = MESSAGE_BATCH_HEADER_BYTES;
const writeBatchHeader = writeMessageBatchHeader;
/** recordCount of a RecordBatch v2 (KIP-98 layout: the last int32 of the 61-byte header). */
const RECORD_COUNT_AT = 57;
/** The RecordBatch v2 header a MESSAGE_BATCH slice copies before its records. */
const RECORD_BATCH_HEADER_BYTES = 61;

type BatchedMessage = PushedMessage & { batch?: Buffer };

/** Consecutive first deliveries from one stored batch to one consumer, pushed as one MESSAGE_BATCH. */
interface PushRun {
  consumerId: number;
  batch: Buffer;
  messages: BatchedMessage[];
  lastOffset: bigint;
}

let nextConnectionId = 1;

export class NativeConnection extends FramedConnection<NativeFrame> implements Session {
  readonly connectionId = nextConnectionId++;
  readonly remote: string;
  connected = false;
  protocolVersion = 0;
  clientName = '';
  readonly producers = new Map<number, SessionProducer>();
  readonly consumers = new Map<number, SessionConsumer>();
  private readonly frames = new NativeFrameAccumulator(NATIVE_LIMITS.frameBytesMax);
  private pushChunk = NO_CHUNK;
  private pushStart = 0;
  private pushAt = 0;
  private pushSealed: Buffer[] = [];
  private pushPendingBytes = 0;
  private pushScheduled = false;
  private run: PushRun | null = null;

  constructor(socket: Socket, readonly context: NativeContext) {
    super(socket, CONNECTION_LIMITS);
    this.remote = `${socket.remoteAddress}:${socket.remotePort}`;
    socket.resume();
  }

  /**
   * A MESSAGE push, encoded straight into the push buffer (no frame object, no buffer of its own);
   * on protocol version 3, first deliveries of consecutive offsets of one stored batch collect
   * into a run that leaves as one MESSAGE_BATCH carrying the stored bytes (endRun).
   */
  pushMessage(consumerId: number, message: BatchedMessage, redeliveryCount: number): void {
    if (this.closed) return;
    if (redeliveryCount === 0 && message.batch !== undefined && this.protocolVersion >= MESSAGE_BATCH_VERSION) {
      const run = this.run;
      if (run !== null && run.batch === message.batch && run.consumerId === consumerId && message.offset === run.lastOffset + 1n) {
        run.messages.push(message);
        run.lastOffset = message.offset;
        return;
      }
      this.endRun();
      this.run = { consumerId, batch: message.batch, messages: [message], lastOffset: message.offset };
      this.schedulePushes();
      return;
    }
    this.endRun();
    this.writeMessage(consumerId, message, redeliveryCount);
  }

  /**
   * A run of one stored batch delivered whole (Exclusive, Failover first deliveries), two messages
   * or more: on version 4 one MESSAGE_BATCH holding just its records (a slice, spec §3.2); on
   * version 3 one MESSAGE_BATCH of the whole stored batch when the run is at least half of it.
   * Otherwise its messages one by one.
   */
  pushRun(consumerId: number, run: StoredRun): void {
    if (this.closed) return;
    const count = Number(run.last - run.first) + 1;
    if (count > 1 && this.protocolVersion >= MESSAGE_BATCH_VERSION) {
      if (this.protocolVersion >= MESSAGE_BATCH_SLICE_VERSION || count * 2 >= run.batch.readInt32BE(RECORD_COUNT_AT)) {
        this.endRun();
        this.writeBatchPush(consumerId, run.partition, run.first, run.last, run.batch);
        this.schedulePushes();
        return;
      }
    }
    for (const message of runMessages(run)) this.pushMessage(consumerId, message, 0);
  }

  private writeMessage(consumerId: number, message: PushedMessage, redeliveryCount: number): void {
    const size = messageBytes(message);
    writeMessage(this.pushRoom(size), this.pushAt, size, consumerId, message, redeliveryCount);
    this.pushed(size);
  }

  /** Any other push frame (requestId 0), in order with the MESSAGE pushes. */
  push(message: NativeMessage): void {
    if (this.closed) return;
    this.endRun();
    const frame = encodeNativeMessage(message, 0);
    frame.copy(this.pushRoom(frame.length).bytes, this.pushAt);
    this.pushed(frame.length);
  }

  /**
   * Pushes of one tick are written back to back into shared chunks and leave in one corked write
   * (at most pushWriteBytesMax at a time). Written bytes are never touched again: the next push
   * goes after them, and a full chunk is replaced, never reused.
   */
  private pushRoom(size: number): ViewedBuffer {
    if (this.pushAt + size > this.pushChunk.bytes.length) {
      if (this.pushAt > this.pushStart) this.pushSealed.push(this.pushChunk.bytes.subarray(this.pushStart, this.pushAt));
      this.pushChunk = viewed(Buffer.allocUnsafe(Math.max(PUSH_CHUNK_BYTES, size)));
      this.pushStart = 0;
      this.pushAt = 0;
    }
    return this.pushChunk;
  }

  /**
   * The run as one MESSAGE_BATCH: its header in the push buffer, then the stored batch by reference.
   * A run of one message, or of less than half its batch, goes as MESSAGE frames instead, so a
   * consumer is never sent a large batch for a few of its messages.
   */
  private endRun(): void {
    const run = this.run;
    if (run === null) return;
    this.run = null;
    const { messages, batch } = run;
    const slices = this.protocolVersion >= MESSAGE_BATCH_SLICE_VERSION;
    if (messages.length === 1 || (!slices && messages.length * 2 < batch.readInt32BE(RECORD_COUNT_AT))) {
      for (const message of messages) this.writeMessage(run.consumerId, message, 0);
      return;
    }
    this.writeBatchPush(run.consumerId, messages[0].partition, messages[0].offset, run.lastOffset, batch);
  }

  /**
   * A MESSAGE_BATCH of offsets firstOffset..lastOffset of `batch`: its frame header in the push
   * buffer, then the stored batch by reference; on version 4, when the range is not the whole
   * batch, a copy of the batch header saying how many records follow, then only the range's
   * records by reference (a slice, spec §3.2).
   */
  private writeBatchPush(consumerId: number, partition: number, firstOffset: bigint, lastOffset: bigint, batch: Buffer): void {
    let sent = batch;
    let headerCopyBytes = 0;
    const count = Number(lastOffset - firstOffset) + 1;
    if (this.protocolVersion >= MESSAGE_BATCH_SLICE_VERSION && count < batch.readInt32BE(RECORD_COUNT_AT)) {
      const [start, end] = recordSpan(batch, Number(firstOffset - batch.readBigInt64BE(0)), count);
      sent = batch.subarray(start, end);
      headerCopyBytes = RECORD_BATCH_HEADER_BYTES;
    }
    const target = this.pushRoom(BATCH_HEADER_BYTES + headerCopyBytes);
    this.pushAt = writeBatchHeader(target, this.pushAt, consumerId, partition, firstOffset, lastOffset, headerCopyBytes + sent.length);
    if (headerCopyBytes > 0) this.pushAt = writeSliceHeader(target.bytes, this.pushAt, batch, count, sent.length);
    this.pushSealed.push(target.bytes.subarray(this.pushStart, this.pushAt), sent);
    this.pushStart = this.pushAt;
    this.pushPendingBytes += BATCH_HEADER_BYTES + headerCopyBytes + sent.length;
    if (this.pushPendingBytes >= PUSH_WRITE_BYTES_MAX) this.flushPushes();
  }

  private pushed(size: number): void {
    this.pushAt += size;
    this.pushPendingBytes += size;
    if (this.pushPendingBytes >= PUSH_WRITE_BYTES_MAX) this.flushPushes();
    else this.schedulePushes();
  }

  private schedulePushes(): void {
    if (!this.pushScheduled) {
      this.pushScheduled = true;
      process.nextTick(() => {
        this.pushScheduled = false;
        this.flushPushes();
      });
    }
  }

  private flushPushes(): void {
    if (this.closed) return;
    this.endRun();
    if (this.pushPendingBytes === 0) return;
    const parts = this.pushSealed;
    if (this.pushAt > this.pushStart) parts.push(this.pushChunk.bytes.subarray(this.pushStart, this.pushAt));
    this.pushSealed = [];
    this.pushStart = this.pushAt;
    this.pushPendingBytes = 0;
    if (parts.length === 1) this.socket.write(parts[0]);
    else {
      this.socket.cork();
      for (const part of parts) this.socket.write(part);
      this.socket.uncork();
    }
    this.updateFlow();
  }

  isClosed(): boolean {
    return this.closed;
  }

  backpressured(): boolean {
    return this.socket.writableLength >= PENDING_WRITE_BYTES_MAX;
  }

  /** Pushes held back by a full socket buffer may go now. */
  protected override onDrain(): void {
    this.updateFlow();
    for (const consumer of this.consumers.values()) consumer.entry.subscription.redispatch();
  }

  protected bufferBytes(chunk: Buffer): void {
    this.frames.push(chunk);
  }

  protected nextFrame(): NativeFrame | null {
    return this.frames.next();
  }

  /** Unframeable bytes: say why, then close. */
  protected unframeable(err: unknown): void {
    log.warn({ err, remote: this.remote }, 'unframeable native bytes; closing connection');
    const slot = this.replies.take(0);
    this.closing = true;
    this.socket.pause();
    this.reply(slot, { type: 'error', code: NATIVE_ERRORS.malformedFrame, message: (err as Error).message }, 0);
  }

  protected accept(frame: NativeFrame): void {
    const slot = this.replies.take(frame.body.length);
    let message: NativeMessage;
    try {
      message = decodeNativeFrame(frame);
    } catch (err) {
      const code = err instanceof UnknownFrameTypeError ? NATIVE_ERRORS.unknownFrameType : NATIVE_ERRORS.malformedFrame;
      if (!(err instanceof DecodeError)) log.error({ err, remote: this.remote }, 'native decode failed unexpectedly');
      this.reply(slot, { type: 'error', code, message: (err as Error).message }, frame.requestId);
      return;
    }
    this.handle(message, frame.requestId).then(
      (reply) => this.reply(slot, reply, frame.requestId),
      (err: unknown) => {
        const mapped = nativeErrorFor(err);
        if (!mapped.expected) log.error({ err, remote: this.remote, frame: message.type }, 'native request failed');
        if (mapped.name === 'unsupportedVersion' || mapped.name === 'authenticationFailed') this.closing = true;
        this.reply(slot, { type: 'error', code: mapped.code, message: mapped.message }, frame.requestId);
      },
    );
  }

  private async handle(message: NativeMessage, requestId: number): Promise<NativeMessage | null> {
    const handler = NATIVE_HANDLERS[message.type];
    if (!handler) return { type: 'error', code: NATIVE_ERRORS.invalidRequest, message: `a client does not send ${message.type} frames` };
    if (!this.connected && message.type !== 'connect') {
      return { type: 'error', code: NATIVE_ERRORS.notConnected, message: 'the first frame must be CONNECT' };
    }
    return handler(this, message, requestId);
  }

  private reply(slot: ReplySlot, message: NativeMessage | null, requestId: number): void {
    this.replied(slot, message === null ? null : encodeNativeFrame(message, requestId));
  }

  protected override onClosed(): void {
    for (const id of [...this.consumers.keys()]) releaseConsumer(this, id);
    for (const id of [...this.producers.keys()]) releaseProducer(this, id);
  }
}

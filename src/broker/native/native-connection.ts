/**
 * One native client connection: frames, decodes, dispatches through the handler table, and
 * writes replies in request order (handlers may run concurrently). Pushes (MESSAGE,
 * ACTIVE_CONSUMER_CHANGE) are written at once; consumer permits bound them. Reading pauses past
 * the in-flight limits or while unflushed bytes exceed the pending-write limit. A frame that does
 * not decode gets an ERROR and the connection goes on; bytes that do not frame get an ERROR and
 * a close. Closing releases every producer and consumer (their unacked messages are redelivered).
 */
import type { Socket } from 'node:net';
import { CONNECTION_LIMITS, NATIVE_LIMITS } from '../../limits';
import { componentLogger } from '../../log';
import { decodeNativeFrame, encodeNativeFrame, UnknownFrameTypeError } from '../../protocol/native/codec';
import { DecodeError } from '../../protocol/primitives/decode-error';
import { NATIVE_ERRORS } from '../../protocol/native/error-codes';
import { NativeFrame, NativeFrameAccumulator } from '../../protocol/native/frame';
import type { NativeMessage } from '../../protocol/native/messages';
import type { ConnectionHandle } from '../net/protocols';
import { nativeErrorFor } from './error-mapping';
import { NATIVE_HANDLERS } from './handlers';
import { releaseConsumer } from './handlers/consumer-handlers';
import { releaseProducer } from './handlers/producer-handlers';
import type { NativeContext, Session, SessionConsumer, SessionProducer } from './native-context';

const log = componentLogger('native-connection');

interface Pending {
  done: boolean;
  bytes: number;
  reply: Buffer[] | null;
}

let nextConnectionId = 1;

export class NativeConnection implements ConnectionHandle, Session {
  readonly connectionId = nextConnectionId++;
  readonly remote: string;
  connected = false;
  clientName = '';
  readonly producers = new Map<number, SessionProducer>();
  readonly consumers = new Map<number, SessionConsumer>();
  private readonly frames = new NativeFrameAccumulator(NATIVE_LIMITS.frameBytesMax);
  private readonly queue: Pending[] = [];
  private inFlightBytes = 0;
  private paused = false;
  private closing = false;
  private closed = false;
  private drained: (() => void) | null = null;
  private pushChunks: Buffer[] = [];
  private pushBytes = 0;
  private pushScheduled = false;

  constructor(private readonly socket: Socket, readonly context: NativeContext) {
    this.remote = `${socket.remoteAddress}:${socket.remotePort}`;
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('drain', () => this.onDrain());
    socket.once('close', () => this.onClose());
    socket.resume();
  }

  /** Pushes of one tick leave in one write (at most pushWriteBytesMax each): no stream overhead per message. */
  push(message: NativeMessage): void {
    if (this.closed) return;
    for (const chunk of encodeNativeFrame(message, 0)) {
      this.pushChunks.push(chunk);
      this.pushBytes += chunk.length;
    }
    if (this.pushBytes >= NATIVE_LIMITS.pushWriteBytesMax) this.flushPushes();
    else if (!this.pushScheduled) {
      this.pushScheduled = true;
      process.nextTick(() => {
        this.pushScheduled = false;
        this.flushPushes();
      });
    }
  }

  private flushPushes(): void {
    if (this.pushChunks.length === 0 || this.closed) return;
    const chunks = this.pushChunks;
    this.pushChunks = [];
    this.pushBytes = 0;
    this.socket.write(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
    this.updateFlow();
  }

  isClosed(): boolean {
    return this.closed;
  }

  backpressured(): boolean {
    return this.socket.writableLength >= CONNECTION_LIMITS.pendingWriteBytesMax;
  }

  /** Pushes held back by a full socket buffer may go now. */
  private onDrain(): void {
    this.updateFlow();
    for (const consumer of this.consumers.values()) consumer.entry.subscription.redispatch();
  }

  close(): Promise<void> {
    this.closing = true;
    this.socket.pause();
    if (this.closed) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.drained = resolve;
      this.endIfIdle();
    });
  }

  private onData(chunk: Buffer): void {
    this.frames.push(chunk);
    this.pump();
  }

  private pump(): void {
    try {
      while (!this.closed && !this.closing && !this.overLimits()) {
        const frame = this.frames.next();
        if (frame === null) break;
        this.accept(frame);
      }
    } catch (err) {
      // Unframeable bytes: say why, then close (nothing after them can be trusted).
      log.warn({ err, remote: this.remote }, 'unframeable native bytes; closing connection');
      this.closing = true;
      this.socket.pause();
      this.reply(this.track(0), { type: 'error', code: NATIVE_ERRORS.malformedFrame, message: (err as Error).message }, 0);
      return;
    }
    this.updateFlow();
  }

  private track(bytes: number): Pending {
    const entry: Pending = { done: false, bytes, reply: null };
    this.queue.push(entry);
    this.inFlightBytes += bytes;
    return entry;
  }

  private accept(frame: NativeFrame): void {
    const entry = this.track(frame.body.length);
    let message: NativeMessage;
    try {
      message = decodeNativeFrame(frame);
    } catch (err) {
      const code = err instanceof UnknownFrameTypeError ? NATIVE_ERRORS.unknownFrameType : NATIVE_ERRORS.malformedFrame;
      if (!(err instanceof DecodeError)) log.error({ err, remote: this.remote }, 'native decode failed unexpectedly');
      this.reply(entry, { type: 'error', code, message: (err as Error).message }, frame.requestId);
      return;
    }
    this.handle(message, frame.requestId).then(
      (reply) => this.reply(entry, reply, frame.requestId),
      (err: unknown) => {
        const mapped = nativeErrorFor(err);
        if (!mapped.expected) log.error({ err, remote: this.remote, frame: message.type }, 'native request failed');
        this.reply(entry, { type: 'error', code: mapped.code, message: mapped.message }, frame.requestId);
        if (mapped.name === 'unsupportedVersion' || mapped.name === 'authenticationFailed') {
          this.closing = true;
          this.endIfIdle();
        }
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

  private reply(entry: Pending, message: NativeMessage | null, requestId: number): void {
    entry.done = true;
    entry.reply = message === null ? null : encodeNativeFrame(message, requestId);
    this.flush();
  }

  private flush(): void {
    if (this.closed) return;
    let corked = false;
    while (this.queue.length > 0 && this.queue[0].done) {
      const entry = this.queue.shift()!;
      this.inFlightBytes -= entry.bytes;
      if (entry.reply === null) continue;
      if (!corked) {
        this.socket.cork();
        corked = true;
      }
      for (const chunk of entry.reply) this.socket.write(chunk);
    }
    if (corked) this.socket.uncork();
    if (this.closing) this.endIfIdle();
    else this.pump();
  }

  private overLimits(): boolean {
    return this.queue.length >= CONNECTION_LIMITS.inFlightRequestsMax
      || this.inFlightBytes >= CONNECTION_LIMITS.inFlightBytesMax
      || this.socket.writableLength >= CONNECTION_LIMITS.pendingWriteBytesMax;
  }

  private updateFlow(): void {
    if (this.closed || this.closing) return;
    const over = this.overLimits();
    if (over && !this.paused) {
      this.paused = true;
      this.socket.pause();
    } else if (!over && this.paused) {
      this.paused = false;
      this.socket.resume();
      this.pump();
    }
  }

  private endIfIdle(): void {
    if (this.queue.some((e) => !e.done) || this.closed) return;
    this.socket.end(() => this.socket.destroy());
  }

  private onClose(): void {
    this.closed = true;
    this.queue.length = 0;
    for (const id of [...this.consumers.keys()]) releaseConsumer(this, id);
    for (const id of [...this.producers.keys()]) releaseProducer(this, id);
    this.drained?.();
    this.drained = null;
  }
}

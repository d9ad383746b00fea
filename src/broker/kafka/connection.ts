/**
 * One Kafka client connection: frames requests, dispatches them (handlers may run
 * concurrently), and writes replies strictly in request order through a queue of pending
 * reply promises. Reading pauses while in-flight requests, in-flight bytes or unflushed reply
 * bytes are over their limits, and resumes on completions and `drain`. Bytes that do not frame
 * or parse close this connection only, with a log line.
 */
import type { Socket } from 'node:net';
import { componentLogger } from '../../log';
import { FrameAccumulator } from '../net/framing';
import type { ConnectionHandle } from '../net/protocols';

const log = componentLogger('kafka-connection');

export interface ConnectionLimits {
  frameBytesMax: number;
  inFlightRequestsMax: number;
  inFlightBytesMax: number;
  pendingWriteBytesMax: number;
}

export interface ConnectionContext {
  readonly id: number;
  readonly remote: string;
}

/** A whole reply frame (size prefix included) as chunks written back to back, or null for none. */
export type Reply = Buffer[] | null;

export interface RequestDispatcher {
  /**
   * Decodes the request synchronously (throwing when its bytes do not parse, which closes the
   * connection) and returns its reply. The promise never rejects for a domain failure: those
   * become error codes inside the reply.
   */
  dispatch(frame: Buffer, context: ConnectionContext): Promise<Reply>;
}

interface Pending {
  bytes: number;
  done: boolean;
  reply: Reply;
}

let nextConnectionId = 1;

export class KafkaConnection implements ConnectionHandle {
  private readonly frames: FrameAccumulator;
  private readonly queue: Pending[] = [];
  private readonly context: ConnectionContext;
  private inFlightBytes = 0;
  private paused = false;
  private closing = false;
  private closed = false;
  private drained: (() => void) | null = null;

  constructor(private readonly socket: Socket, private readonly dispatcher: RequestDispatcher, private readonly limits: ConnectionLimits) {
    this.frames = new FrameAccumulator(limits.frameBytesMax);
    this.context = { id: nextConnectionId++, remote: `${socket.remoteAddress}:${socket.remotePort}` };
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('drain', () => this.updateFlow());
    socket.once('close', () => this.onClose());
  }

  /** Graceful: stop reading, answer every request already read, then end the socket. */
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
      this.abort(err, 'unreadable request');
      return;
    }
    this.updateFlow();
  }

  private accept(frame: Buffer): void {
    const entry: Pending = { bytes: frame.length, done: false, reply: null };
    const promise = this.dispatcher.dispatch(frame, this.context);
    this.queue.push(entry);
    this.inFlightBytes += entry.bytes;
    promise.then(
      (reply) => {
        entry.done = true;
        entry.reply = reply;
        this.flush();
      },
      (err) => this.abort(err, 'request failed without a reply'),
    );
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
    return this.queue.length >= this.limits.inFlightRequestsMax
      || this.inFlightBytes >= this.limits.inFlightBytesMax
      || this.socket.writableLength >= this.limits.pendingWriteBytesMax;
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
    if (this.queue.length > 0 || this.closed) return;
    // end() flushes queued replies first; destroy then closes even if the client keeps its side open.
    this.socket.end(() => this.socket.destroy());
  }

  private abort(err: unknown, what: string): void {
    if (this.closed) return;
    log.warn({ err, remote: this.context.remote, connection: this.context.id }, `${what}; closing connection`);
    this.socket.destroy();
  }

  private onClose(): void {
    this.closed = true;
    this.queue.length = 0;
    this.drained?.();
    this.drained = null;
  }
}

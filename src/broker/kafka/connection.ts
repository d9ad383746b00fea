/**
 * One Kafka client connection: Kafka framing and dispatch over the shared FramedConnection
 * (ordered replies, in-flight limits, graceful close). Bytes that do not frame or parse close
 * this connection only, with a log line.
 */
import type { Socket } from 'node:net';
import { CONNECTION_LIMITS } from '../../limits';
import { componentLogger } from '../../log';
import { DirectFrameReader } from '../net/direct-frame-reader';
import { readIntoTargets } from '../net/direct-reads';
import { FramedConnection } from '../net/framed-connection';
import type { InFlightLimits, ReplyChunks } from '../net/ordered-replies';

const log = componentLogger('kafka-connection');

export interface ConnectionLimits extends InFlightLimits {
  frameBytesMax: number;
}

export interface ConnectionContext {
  readonly id: number;
  readonly remote: string;
}

/** A whole reply frame (size prefix included) as chunks written back to back, or null for none. */
export type Reply = ReplyChunks;

export interface RequestDispatcher {
  /**
   * Decodes the request synchronously (throwing when its bytes do not parse, which closes the
   * connection) and returns its reply. The promise never rejects for a domain failure: those
   * become error codes inside the reply.
   */
  dispatch(frame: Buffer, context: ConnectionContext): Promise<Reply>;
}

let nextConnectionId = 1;

export class KafkaConnection extends FramedConnection<Buffer> {
  private readonly frames: DirectFrameReader;
  private readonly context: ConnectionContext;

  constructor(socket: Socket, private readonly dispatcher: RequestDispatcher, limits: ConnectionLimits) {
    super(socket, limits);
    this.frames = new DirectFrameReader(limits.frameBytesMax, CONNECTION_LIMITS.readScratchBytes, CONNECTION_LIMITS.requestBufferUpfrontBytesMax);
    this.context = { id: nextConnectionId++, remote: `${socket.remoteAddress}:${socket.remotePort}` };
    // Socket reads land in the frame reader's buffers (a large request straight into its own);
    // where Node offers no hook for that, 'data' events feed bufferBytes() as before.
    readIntoTargets(socket, () => this.frames.target(), (bytes) => {
      this.frames.landed(bytes);
      this.pump();
    });
  }

  protected bufferBytes(chunk: Buffer): void {
    this.frames.push(chunk);
  }

  protected nextFrame(): Buffer | null {
    return this.frames.next();
  }

  /**
   * A request that does not frame, decode or match a served version: nothing after it can be
   * trusted, so nothing more is read, but the requests before it were fine and are answered
   * first (Kafka handles one request per connection at a time, so its clients get those replies
   * before the close too). close() stops reading, writes the replies in order, then ends.
   */
  protected unframeable(err: unknown): void {
    if (this.closed || this.closing) return;
    log.warn({ err, remote: this.context.remote, connection: this.context.id }, 'unreadable request; closing connection after answering the requests before it');
    void this.close();
  }

  /** dispatch() throws synchronously on bytes that do not parse: pump() closes the connection. */
  protected accept(frame: Buffer): void {
    const promise = this.dispatcher.dispatch(frame, this.context);
    const slot = this.replies.take(frame.length);
    promise.then(
      (reply) => this.replied(slot, reply),
      (err) => this.abort(err, 'request failed without a reply'),
    );
  }

  private abort(err: unknown, what: string): void {
    if (this.closed) return;
    log.warn({ err, remote: this.context.remote, connection: this.context.id }, `${what}; closing connection`);
    this.socket.destroy();
  }
}

/**
 * What the Kafka and the native connection share: read frames while under the in-flight limits,
 * hand each to the protocol (its handler may run concurrently), write the replies in request
 * order (ordered-replies.ts), pause reading past the limits and resume on completions and
 * `drain`, and close gracefully (stop reading, answer what was read, then end the socket).
 * A protocol supplies the framing, what to do with a frame and with bytes that do not frame.
 */
import type { Socket } from 'node:net';
import { OrderedReplies, type InFlightLimits, type ReplyChunks, type ReplySlot } from './ordered-replies';
import type { ConnectionHandle } from './protocols';

export abstract class FramedConnection<Frame> implements ConnectionHandle {
  protected readonly replies: OrderedReplies;
  protected closing = false;
  protected closed = false;
  private paused = false;
  private writeScheduled = false;
  private drained: (() => void) | null = null;
  /** writeReplies bound once: replied() schedules it without a closure per reply. */
  private readonly writeRepliesNow = () => this.writeReplies();

  constructor(protected readonly socket: Socket, limits: InFlightLimits) {
    this.replies = new OrderedReplies(socket, limits);
    socket.on('data', (chunk: Buffer) => {
      this.bufferBytes(chunk);
      this.pump();
    });
    socket.on('drain', () => this.onDrain());
    socket.once('close', () => this.onSocketClose());
  }

  /** Buffers bytes read from the socket. */
  protected abstract bufferBytes(chunk: Buffer): void;
  /** The next whole frame, null when more bytes are needed; throws on bytes that cannot frame. */
  protected abstract nextFrame(): Frame | null;
  /** Starts handling a frame; its reply goes through `replied`. */
  protected abstract accept(frame: Frame): void;
  /** Bytes that do not frame: nothing after them can be trusted. */
  protected abstract unframeable(err: unknown): void;
  /** The socket closed; release what the connection holds. */
  protected onClosed(): void {}

  /** The socket flushed: reading may resume. */
  protected onDrain(): void {
    this.updateFlow();
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

  protected pump(): void {
    try {
      while (!this.closed && !this.closing && !this.replies.overLimits()) {
        const frame = this.nextFrame();
        if (frame === null) break;
        this.accept(frame);
      }
    } catch (err) {
      this.unframeable(err);
      return;
    }
    this.updateFlow();
  }

  /**
   * A request's reply is ready. It is written once the promise callbacks running now are done
   * (process.nextTick runs after the microtask queue drains), so replies completed together, such
   * as the appends one WAL write made durable, leave in one write instead of one syscall and one
   * client wake-up each; at 10k msg/s from librdkafka those writes were a third of the broker's
   * main-thread time (docs/broker.md).
   */
  protected replied(slot: ReplySlot, reply: ReplyChunks): void {
    this.replies.fill(slot, reply);
    if (this.writeScheduled) return;
    this.writeScheduled = true;
    process.nextTick(this.writeRepliesNow);
  }

  /** Writes what the order allows, then reads on (or finishes closing). */
  private writeReplies(): void {
    this.writeScheduled = false;
    this.replies.writeReady();
    if (this.closed) return;
    if (this.closing) this.endIfIdle();
    else this.pump();
  }

  protected updateFlow(): void {
    if (this.closed || this.closing) return;
    const over = this.replies.overLimits();
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
    if (!this.replies.idle() || this.closed) return;
    // end() flushes queued replies first; destroy then closes even if the client keeps its side open.
    this.socket.end(() => this.socket.destroy());
  }

  private onSocketClose(): void {
    this.closed = true;
    this.replies.clear();
    this.onClosed();
    this.drained?.();
    this.drained = null;
  }
}

/**
 * The replies of one connection, written strictly in request order while handlers run
 * concurrently (Redpanda answers in order the same way; Kafka clients and native clients rely on
 * it). Each request read takes a slot; a completed slot is written once every slot before it is,
 * all ready replies in one corked write. It also counts what the connection's read pause looks at:
 * requests and bytes in flight, and reply bytes the socket has not flushed yet.
 */
import type { Socket } from 'node:net';

export interface InFlightLimits {
  inFlightRequestsMax: number;
  inFlightBytesMax: number;
  pendingWriteBytesMax: number;
}

/** A whole reply frame as chunks written back to back, or null for none (acks=0, fire and forget). */
export type ReplyChunks = Buffer[] | null;

export interface ReplySlot {
  readonly bytes: number;
  done: boolean;
  reply: ReplyChunks;
}

export class OrderedReplies {
  private readonly slots: ReplySlot[] = [];
  private bytes = 0;

  constructor(private readonly socket: Socket, private readonly limits: InFlightLimits) {}

  /** Takes the next slot for a request of `bytes` bytes. */
  take(bytes: number): ReplySlot {
    const slot: ReplySlot = { bytes, done: false, reply: null };
    this.slots.push(slot);
    this.bytes += bytes;
    return slot;
  }

  /** Fills a slot, then writes every reply ready at the head of the order. */
  complete(slot: ReplySlot, reply: ReplyChunks): void {
    this.fill(slot, reply);
    this.writeReady();
  }

  /** Fills a slot without writing anything yet; writeReady() writes it when its turn has come. */
  fill(slot: ReplySlot, reply: ReplyChunks): void {
    slot.done = true;
    slot.reply = reply;
  }

  /** Writes every reply ready at the head of the order, several in one corked write. */
  writeReady(): void {
    let corked = false;
    while (this.slots.length > 0 && this.slots[0].done) {
      const head = this.slots.shift()!;
      this.bytes -= head.bytes;
      if (head.reply === null) continue;
      // A lone one-chunk reply (most small requests) goes straight to the socket: corking it
      // would only queue it in the stream's buffer first. Anything more is one corked writev.
      if (!corked && (head.reply.length > 1 || this.headReady())) {
        this.socket.cork();
        corked = true;
      }
      for (const chunk of head.reply) this.socket.write(chunk);
    }
    if (corked) this.socket.uncork();
  }

  private headReady(): boolean {
    return this.slots.length > 0 && this.slots[0].done;
  }

  /** No request is waiting for its reply. */
  idle(): boolean {
    return this.slots.length === 0;
  }

  /** The connection is gone: nothing more will be written. */
  clear(): void {
    this.slots.length = 0;
    this.bytes = 0;
  }

  /** Reading should pause: too many requests or bytes in flight, or too many reply bytes unflushed. */
  overLimits(): boolean {
    return this.slots.length >= this.limits.inFlightRequestsMax
      || this.bytes >= this.limits.inFlightBytesMax
      || this.socket.writableLength >= this.limits.pendingWriteBytesMax;
  }
}

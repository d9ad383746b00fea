/**
 * Protocols sharing one listener, told apart by the first byte a client sends. A Kafka frame
 * starts with a 4-byte big-endian size, so its first byte is 0x00 for any frame under 16 MiB
 * (and at most 0x06 under the 100 MiB frame limit); the native protocol starts its frames with
 * a byte Kafka never sends there. Kafka is the default: it takes whatever no other protocol claims.
 */
import type { Socket } from 'node:net';

export interface ConnectionHandle {
  /** Graceful close: stop reading, answer what was already read, then end the socket. */
  close(): Promise<void>;
}

export interface ProtocolHandler {
  readonly name: string;
  /** True when a connection whose first byte is `firstByte` speaks this protocol. */
  claims(firstByte: number): boolean;
  /**
   * Takes over a socket. The sniffed bytes were pushed back (socket.unshift), so the handler
   * reads the connection from its first byte as if it were fresh. The listener resumes the
   * socket once accept() returns: attach 'data' listeners synchronously in accept().
   */
  accept(socket: Socket): ConnectionHandle;
}

export class ProtocolRegistry {
  private readonly handlers: ProtocolHandler[] = [];

  constructor(private readonly fallback: ProtocolHandler) {}

  /** Adds a protocol; earlier registrations are asked first. */
  register(handler: ProtocolHandler): void {
    this.handlers.push(handler);
  }

  pick(firstByte: number): ProtocolHandler {
    return this.handlers.find((h) => h.claims(firstByte)) ?? this.fallback;
  }
}

/**
 * One TCP connection of the native client to one broker: the CONNECT handshake, requests
 * matched to replies by requestId (with a timeout), fire-and-forget frames, and pushes routed to
 * their consumer. When the socket closes every pending request fails with ConnectionLostError
 * and 'close' is emitted once.
 */
import { EventEmitter } from 'node:events';
import { connect as tcpConnect, Socket } from 'node:net';
import { NATIVE_LIMITS } from '../limits';
import { decodeNativeFrame, encodeNativeFrame } from '../protocol/native/codec';
import { NativeFrameAccumulator } from '../protocol/native/frame';
import { NativeMessage, PROTOCOL_VERSION_MIN } from '../protocol/native/messages';
import { ConnectionLostError, RequestTimeoutError, TributaryError } from './errors';

// A module constant, not the import: tsx's CommonJS output reads imports through getters, once per frame here.
const decodeFrame = decodeNativeFrame;

export interface ConnectionOptions {
  clientName: string;
  authToken: string | null;
  requestTimeoutMs: number;
  /** Newest protocol version to ask for (PROTOCOL_VERSION unless a caller pins an older one). */
  protocolVersion: number;
}

interface PendingRequest {
  resolve(message: NativeMessage): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

export type PushMessage = Extract<NativeMessage, { type: 'message' | 'messageBatch' | 'activeConsumerChange' | 'closeConsumer' }>;

export class ClientConnection extends EventEmitter<{ close: [] }> {
  private readonly frames = new NativeFrameAccumulator(NATIVE_LIMITS.frameBytesMax);
  private readonly pending = new Map<number, PendingRequest>();
  private readonly pushTargets = new Map<number, (message: PushMessage) => void>();
  private nextRequestId = 1;
  private isClosed = false;
  brokerId = -1;
  /** The version CONNECT negotiated: SEND_BATCH from SEND_BATCH_VERSION on. */
  protocolVersion = PROTOCOL_VERSION_MIN;

  private constructor(private readonly socket: Socket, readonly address: string, private readonly options: ConnectionOptions) {
    super();
    // Every producer and consumer on this broker listens for 'close'.
    this.setMaxListeners(0);
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', () => undefined);
    socket.once('close', () => this.onClose());
  }

  /**
   * Opens and connects with options.protocolVersion; a broker that refuses it
   * (unsupportedVersion, an older broker) closes the socket, so the client reconnects with the
   * next older version, down to the oldest, which every broker speaks.
   */
  static async open(address: string, options: ConnectionOptions): Promise<ClientConnection> {
    for (let version = options.protocolVersion; ; version--) {
      try {
        return await ClientConnection.openAt(address, options, version);
      } catch (err) {
        if (!(err instanceof TributaryError && err.codeName === 'unsupportedVersion') || version <= PROTOCOL_VERSION_MIN) throw err;
      }
    }
  }

  private static async openAt(address: string, options: ConnectionOptions, protocolVersion: number): Promise<ClientConnection> {
    const connection = new ClientConnection(await openSocket(address, options.requestTimeoutMs), address, options);
    try {
      const reply = await connection.request({ type: 'connect', protocolVersion, clientName: options.clientName, authToken: options.authToken });
      if (reply.type !== 'connected') throw new Error(`connect got ${reply.type}`);
      connection.brokerId = reply.brokerId;
      connection.protocolVersion = reply.protocolVersion;
    } catch (err) {
      connection.close();
      throw err;
    }
    return connection;
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /** Resolves with the reply; an ERROR reply rejects with TributaryError. */
  request(message: NativeMessage): Promise<NativeMessage> {
    if (this.isClosed) return Promise.reject(new ConnectionLostError(`connection to ${this.address} is closed`));
    const requestId = this.nextRequestId;
    this.nextRequestId = this.nextRequestId >= 0xffffffff ? 1 : this.nextRequestId + 1;
    return new Promise<NativeMessage>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(requestId);
        reject(new RequestTimeoutError(`${message.type} to ${this.address} got no reply in ${this.options.requestTimeoutMs} ms`));
      }, this.options.requestTimeoutMs);
      this.pending.set(requestId, { resolve, reject, timer });
      this.write(message, requestId);
    });
  }

  /** A frame that gets no reply (FLOW, ACK, NACK with requestId 0). False once the socket buffer is full. */
  fireAndForget(message: NativeMessage): boolean {
    if (this.isClosed) return false;
    return this.write(message, 0);
  }

  private write(message: NativeMessage, requestId: number): boolean {
    const chunks = encodeNativeFrame(message, requestId);
    if (chunks.length === 1) return this.socket.write(chunks[0]);
    this.socket.cork();
    let ok = true;
    for (const chunk of chunks) ok = this.socket.write(chunk);
    this.socket.uncork();
    return ok;
  }

  onPush(consumerId: number, target: (message: PushMessage) => void): void {
    this.pushTargets.set(consumerId, target);
  }

  offPush(consumerId: number): void {
    this.pushTargets.delete(consumerId);
  }

  close(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    this.frames.push(chunk);
    try {
      for (let frame = this.frames.next(); frame !== null; frame = this.frames.next()) {
        this.onMessage(decodeFrame(frame), frame.requestId);
      }
    } catch {
      // A broker that sends bytes we cannot read is not one we can talk to.
      this.socket.destroy();
    }
  }

  private onMessage(message: NativeMessage, requestId: number): void {
    // CLOSE_CONSUMER from the broker is a push: the subscription left this broker (spec §3).
    if (message.type === 'message' || message.type === 'messageBatch' || message.type === 'activeConsumerChange' || message.type === 'closeConsumer') {
      this.pushTargets.get(message.consumerId)?.(message);
      return;
    }
    const pending = this.pending.get(requestId);
    if (!pending) return;
    this.pending.delete(requestId);
    clearTimeout(pending.timer);
    if (message.type === 'error') pending.reject(new TributaryError(message.code, message.message));
    else pending.resolve(message);
  }

  private onClose(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(new ConnectionLostError(`connection to ${this.address} closed`));
    }
    this.pending.clear();
    this.emit('close');
  }
}

function openSocket(address: string, timeoutMs: number): Promise<Socket> {
  const [host, portText] = splitAddress(address);
  return new Promise<Socket>((resolve, reject) => {
    const s = tcpConnect({ host, port: Number(portText) });
    const timer = setTimeout(() => {
      s.destroy();
      reject(new RequestTimeoutError(`connecting to ${address} timed out`));
    }, timeoutMs);
    s.once('connect', () => {
      clearTimeout(timer);
      s.off('error', reject);
      resolve(s);
    });
    s.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

export function splitAddress(address: string): [string, string] {
  const i = address.lastIndexOf(':');
  if (i <= 0) throw new Error(`broker address "${address}" must be HOST:PORT`);
  return [address.slice(0, i).replace(/^\[|\]$/g, ''), address.slice(i + 1)];
}

/**
 * The native client: `connect()` gives a TributaryClient that keeps one connection per broker,
 * looks topics up (following a redirect to the owner), and creates producers and consumers that
 * rebind themselves (reconnect, re-lookup, re-create or re-subscribe) after a broker failure or
 * a topic move, with exponential backoff.
 */
import { NATIVE_LIMITS } from '../limits';
import { PROTOCOL_VERSION } from '../protocol/native/messages';
import { Admin } from './admin';
import { ClientConnection } from './client-connection';
import { Consumer, ConsumerOptions } from './consumer';
import { ConnectionLostError, isRetriable, TributaryError } from './errors';
import { Producer, ProducerOptions } from './producer';

export interface ClientOptions {
  /** One or more `host:port` addresses of brokers. */
  bootstrap: string | string[];
  clientName?: string;
  authToken?: string | null;
  requestTimeoutMs?: number;
  /** Newest native protocol version to use (default PROTOCOL_VERSION); 1 sends SEND frames instead of SEND_BATCH. */
  protocolVersion?: number;
}

export interface TopicLocation {
  connection: ClientConnection;
  partitions: number;
}

const LOOKUP_HOPS_MAX = 3;

export class TributaryClient {
  readonly admin: Admin;
  private readonly connections = new Map<string, Promise<ClientConnection>>();
  private readonly handles = new Set<{ close(): Promise<void> }>();
  private nextId = 1;
  private closed = false;
  private readonly bootstrap: string[];

  constructor(private readonly options: ClientOptions) {
    this.bootstrap = Array.isArray(options.bootstrap) ? options.bootstrap : [options.bootstrap];
    if (this.bootstrap.length === 0) throw new Error('connect() needs at least one bootstrap address');
    this.admin = new Admin(() => this.anyConnection());
  }

  get isClosed(): boolean {
    return this.closed;
  }

  nextHandleId(): number {
    return this.nextId++;
  }

  /** A connection to `address`, shared by every producer and consumer on that broker. */
  connectionTo(address: string): Promise<ClientConnection> {
    if (this.closed) return Promise.reject(new ConnectionLostError('client is closed'));
    let opening = this.connections.get(address);
    if (!opening) {
      opening = ClientConnection.open(address, {
        clientName: this.options.clientName ?? 'tributary-client',
        authToken: this.options.authToken ?? null,
        requestTimeoutMs: this.options.requestTimeoutMs ?? NATIVE_LIMITS.clientRequestTimeoutMs,
        protocolVersion: this.options.protocolVersion ?? PROTOCOL_VERSION,
      });
      this.connections.set(address, opening);
      opening.then(
        (c) => c.once('close', () => this.connections.get(address) === opening && this.connections.delete(address)),
        () => this.connections.delete(address),
      );
    }
    return opening;
  }

  /** A connection to any reachable bootstrap broker. */
  async anyConnection(): Promise<ClientConnection> {
    let last: unknown;
    for (const address of this.bootstrap) {
      try {
        return await this.connectionTo(address);
      } catch (err) {
        last = err;
      }
    }
    throw last instanceof Error ? last : new ConnectionLostError('no bootstrap broker reachable');
  }

  /** The connection to the broker serving `topic`, following redirects. */
  async lookup(topic: string): Promise<TopicLocation> {
    let connection = await this.anyConnection();
    for (let hop = 0; hop < LOOKUP_HOPS_MAX; hop++) {
      const reply = await connection.request({ type: 'lookup', topic });
      if (reply.type !== 'lookupResult') throw new Error(`lookup of ${topic} got ${reply.type}`);
      if (!reply.redirect) return { connection, partitions: reply.partitions };
      connection = await this.connectionTo(reply.brokerAddress);
    }
    throw new TributaryError(8, `lookup of ${topic} was redirected more than ${LOOKUP_HOPS_MAX} times`);
  }

  async producer(options: ProducerOptions): Promise<Producer> {
    const producer = new Producer(this, options);
    await producer.start();
    this.track(producer);
    return producer;
  }

  async subscribe(options: ConsumerOptions): Promise<Consumer> {
    const consumer = new Consumer(this, options);
    await consumer.start();
    this.track(consumer);
    return consumer;
  }

  forget(handle: { close(): Promise<void> }): void {
    this.handles.delete(handle);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await Promise.all([...this.handles].map((h) => h.close().catch(() => undefined)));
    this.closed = true;
    const all = await Promise.all([...this.connections.values()].map((p) => p.catch(() => null)));
    this.connections.clear();
    for (const c of all) c?.close();
  }

  /**
   * Drops every connection at once, as a crashed process would: no CLOSE frames, nothing
   * flushed. The broker sees the consumers vanish and redelivers their unacked messages.
   */
  async destroy(): Promise<void> {
    this.closed = true;
    const all = await Promise.all([...this.connections.values()].map((p) => p.catch(() => null)));
    this.connections.clear();
    for (const c of all) c?.close();
  }

  private track(handle: { close(): Promise<void> }): void {
    this.handles.add(handle);
  }
}

export async function connect(options: ClientOptions): Promise<TributaryClient> {
  const client = new TributaryClient(options);
  await client.anyConnection();
  return client;
}

/**
 * Runs `attempt` until it succeeds, the error is not retriable, or `stopped()`; waits between
 * tries with exponential backoff (clientReconnectMsMin..Max).
 */
export async function withRetry<T>(attempt: () => Promise<T>, stopped: () => boolean): Promise<T> {
  let delayMs: number = NATIVE_LIMITS.clientReconnectMsMin;
  for (;;) {
    try {
      return await attempt();
    } catch (err) {
      if (stopped() || !isRetriable(err)) throw err;
      await new Promise((r) => setTimeout(r, delayMs));
      delayMs = Math.min(NATIVE_LIMITS.clientReconnectMsMax, delayMs * 2);
    }
  }
}

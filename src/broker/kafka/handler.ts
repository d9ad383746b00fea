/**
 * One handler per Kafka API, declared with its version range (CONVENTIONS §4). The registry of
 * handlers is data: it answers ApiVersions and the dispatcher looks handlers up by api key.
 * Requests and responses are the protocol codec's plain objects (camelCase Kafka field names).
 */
import type { ConnectionContext } from './connection';

export interface RequestContext {
  readonly apiKey: number;
  readonly apiVersion: number;
  readonly correlationId: number;
  readonly clientId: string | null;
  readonly connection: ConnectionContext;
}

// Request and response bodies are the codec's objects; each handler narrows them itself.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Body = any;

export interface KafkaHandler {
  readonly apiKey: number;
  readonly minVersion: number;
  readonly maxVersion: number;
  /** Resolves to the response body, or null when the request gets no response (acks=0 Produce). */
  handle(request: Body, context: RequestContext): Promise<Body | null>;
  /**
   * The response for a failure the handler did not map itself: `errorCode` on every topic or
   * partition of the request (Kafka AbstractRequest.getErrorResponse).
   */
  errorResponse(request: Body, errorCode: number, context: RequestContext): Body;
}

export class HandlerRegistry {
  private readonly byKey = new Map<number, KafkaHandler>();

  constructor(handlers: KafkaHandler[]) {
    for (const handler of handlers) this.add(handler);
  }

  add(handler: KafkaHandler): void {
    if (this.byKey.has(handler.apiKey)) throw new Error(`two handlers for api key ${handler.apiKey}`);
    this.byKey.set(handler.apiKey, handler);
  }

  get(apiKey: number): KafkaHandler | undefined {
    return this.byKey.get(apiKey);
  }

  /** The ApiVersions table: every implemented api with its range, sorted by key. */
  versions(): Array<{ apiKey: number; minVersion: number; maxVersion: number }> {
    return [...this.byKey.values()]
      .map(({ apiKey, minVersion, maxVersion }) => ({ apiKey, minVersion, maxVersion }))
      .sort((a, b) => a.apiKey - b.apiKey);
  }
}

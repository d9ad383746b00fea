/**
 * Steady client traffic against a cluster: an idempotent kafkajs producer sending one message
 * at a time round-robin over a topic's partitions (recording what was acknowledged, and when),
 * and a kafkajs consumer group recording what it consumed.
 */
import type { Consumer, Kafka, Producer } from 'kafkajs';
import { sleep } from './broker-cluster';

export interface Ack {
  value: string;
  partition: number;
  atMs: number;
}

export class ProducerLoop {
  readonly acked: Ack[] = [];
  /** Sends that failed after the client's own retries (never acknowledged). */
  failures = 0;
  /** Values of those sends: the only ones the client may have stored without an acknowledgement. */
  readonly failed: string[] = [];
  private stopped = false;
  private done: Promise<void> | null = null;
  private readonly producer: Producer;

  constructor(kafka: Kafka, private readonly topic: string, private readonly partitions: number, private readonly pauseMs = 20) {
    this.producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, retry: { retries: 30, initialRetryTime: 100, maxRetryTime: 500 } });
  }

  async start(): Promise<void> {
    await this.producer.connect();
    this.done = this.loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.done;
    await this.producer.disconnect();
  }

  private async loop(): Promise<void> {
    for (let i = 0; !this.stopped; i++) {
      const value = `m-${i}`;
      const partition = i % this.partitions;
      try {
        await this.producer.send({ topic: this.topic, acks: -1, messages: [{ value, partition }] });
        this.acked.push({ value, partition, atMs: Date.now() });
      } catch {
        this.failures++;
        this.failed.push(value);
      }
      await sleep(this.pauseMs);
    }
  }
}

export class ConsumerLoop {
  readonly seen = new Map<string, number>();
  private readonly consumer: Consumer;

  /**
   * `retry`: 'patient' (30 quick retries: rides through handoffs and elections without a
   * restart) or 'default' (kafkajs's consumer default of 5 retries, with the client's backoff;
   * then the consumer restarts, finding its group coordinator again). After a kill -9 of the group's coordinator kafkajs keeps the dead
   * coordinator cached: every fetch round ends in a refused heartbeat and a restart of its
   * fetchers after a backoff, delivering one batch per partition per round, until its retries
   * run out and the consumer restarts; with 30 retries that takes 20-50 s (docs/cluster.md).
   */
  constructor(kafka: Kafka, private readonly topic: string, groupId: string, retry: 'patient' | 'default' = 'patient') {
    this.consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 500,
      ...(retry === 'patient' ? { retry: { retries: 30, initialRetryTime: 100, maxRetryTime: 1000 } } : {}) });
  }

  async start(): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.topic, fromBeginning: true });
    await this.consumer.run({
      eachMessage: async ({ message }) => {
        const value = message.value!.toString();
        this.seen.set(value, Date.now());
      },
    });
  }

  /** Resolves once every value was consumed; rejects after timeoutMs naming what is missing. */
  async waitFor(values: string[], timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const missing = values.filter((v) => !this.seen.has(v));
      if (missing.length === 0) return;
      if (Date.now() > deadline) throw new Error(`${missing.length} acknowledged messages never consumed, e.g. ${missing.slice(0, 5).join(', ')}`);
      await sleep(200);
    }
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
  }
}

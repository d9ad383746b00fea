import { PartitionCursor } from '../../../../src/broker/native/subscriptions/cursor';
import { Subscription } from '../../../../src/broker/native/subscriptions/subscription';
import type { StoredMessage, SubscriptionConsumer, SubscriptionOptions } from '../../../../src/broker/native/subscriptions/types';
import type { SubscriptionType } from '../../../../src/protocol/native/messages';

export class FakeClock {
  now = 1_000;
  nowMs(): number {
    return this.now;
  }
}

export class RecordingConsumer implements SubscriptionConsumer {
  readonly received: Array<{ offset: bigint; key: string | null; redeliveryCount: number }> = [];
  readonly activity: boolean[] = [];
  constructor(readonly id: string, readonly name = id, readonly priority = 0) {}
  push(message: StoredMessage, redeliveryCount: number): void {
    this.received.push({ offset: message.offset, key: message.key?.toString() ?? null, redeliveryCount });
  }
  activeChanged(active: boolean): void {
    this.activity.push(active);
  }
  offsets(): bigint[] {
    return this.received.map((r) => r.offset);
  }
}

export function messages(from: number, count: number, keyOf: (i: number) => string | null = () => null): StoredMessage[] {
  return Array.from({ length: count }, (_, i) => {
    const key = keyOf(from + i);
    return {
      partition: 0, offset: BigInt(from + i), publishTimeMs: 0n, key: key === null ? null : Buffer.from(key),
      headers: [], payload: Buffer.from(`m${from + i}`),
    };
  });
}

export function makeSubscription(type: SubscriptionType, clock: FakeClock, overrides: Partial<SubscriptionOptions> = {}) {
  const cursors = new Map([[0, new PartitionCursor(0n)]]);
  const changed: number[] = [];
  const subscription = new Subscription({
    topic: 't', name: 's', type, ackTimeoutMs: 1000, maxRedeliveries: 3, nackBackoffMsMin: 100, nackBackoffMsMax: 800,
    bufferMessagesMax: 1000, consumerUnackedMessagesMax: 1000, consumerPermitsMax: 10_000, clock,
    onCursorChange: (p) => changed.push(p), ...overrides,
  }, cursors);
  return { subscription, cursor: cursors.get(0)!, changed };
}

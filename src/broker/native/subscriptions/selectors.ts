/**
 * How a subscription picks the consumer of a message: the Failover order, round robin over
 * consumers with permits (Shared), and rendezvous hashing of keys over consumer names
 * (Key_Shared: a key moves only when its consumer leaves or a better-ranked one joins).
 */
import { keyHash } from '../../../protocol/native/key-hash';
import type { SubscriptionConsumer } from './types';

/** Failover order: lowest priority value, then smallest name, then id (deterministic). */
export function failoverOrder<T extends Pick<SubscriptionConsumer, 'priority' | 'name' | 'id'>>(consumers: T[]): T[] {
  return [...consumers].sort((a, b) => a.priority - b.priority || cmp(a.name, b.name) || cmp(a.id, b.id));
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Highest-random-weight choice of a consumer for a key. Consumers are identified by name so the
 * same key maps to the same consumer across reconnects of that consumer.
 */
export function consumerForKey<T extends Pick<SubscriptionConsumer, 'name' | 'id'>>(key: Buffer, consumers: T[]): T | undefined {
  let best: T | undefined;
  let bestWeight = -1;
  for (const consumer of consumers) {
    const weight = keyHash([Buffer.from(consumer.name, 'utf8'), key]);
    if (weight > bestWeight || (weight === bestWeight && best !== undefined && consumer.id < best.id)) {
      best = consumer;
      bestWeight = weight;
    }
  }
  return best;
}

/**
 * How a subscription picks the consumer of a message: the Failover order, round robin over
 * consumers with permits (Shared), and rendezvous hashing of keys over consumer names
 * (Key_Shared: a key moves only when its consumer leaves or a better-ranked one joins).
 */
import type { SubscriptionConsumer } from './types';

/** Failover order: lowest priority value, then smallest name, then id (deterministic). */
export function failoverOrder<T extends Pick<SubscriptionConsumer, 'priority' | 'name' | 'id'>>(consumers: T[]): T[] {
  return [...consumers].sort((a, b) => a.priority - b.priority || cmp(a.name, b.name) || cmp(a.id, b.id));
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** 32-bit FNV-1a over the bytes of both inputs. */
function fnv1a(parts: Array<Uint8Array>): number {
  let h = 0x811c9dc5;
  for (const part of parts) {
    for (let i = 0; i < part.length; i++) {
      h ^= part[i];
      h = Math.imul(h, 0x01000193);
    }
  }
  // Final avalanche (murmur3 fmix32) so close inputs spread well.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Highest-random-weight choice of a consumer for a key. Consumers are identified by name so the
 * same key maps to the same consumer across reconnects of that consumer.
 */
export function consumerForKey<T extends Pick<SubscriptionConsumer, 'name' | 'id'>>(key: Buffer, consumers: T[]): T | undefined {
  let best: T | undefined;
  let bestWeight = -1;
  for (const consumer of consumers) {
    const weight = fnv1a([Buffer.from(consumer.name, 'utf8'), key]);
    if (weight > bestWeight || (weight === bestWeight && best !== undefined && consumer.id < best.id)) {
      best = consumer;
      bestWeight = weight;
    }
  }
  return best;
}

/** Partition for a keyed native send: the same hash, so one key stays in one partition. */
export function partitionForKey(key: Buffer, partitions: number): number {
  return fnv1a([key]) % partitions;
}

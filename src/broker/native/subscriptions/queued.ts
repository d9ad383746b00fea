/**
 * Messages in a subscription's queues. One object per message travels from the queue to the
 * outstanding map (delivery fills in consumerId and deliveredAtMs), so dispatch allocates nothing.
 */
import type { StoredMessage } from './types';

export interface Queued {
  message: StoredMessage;
  redeliveryCount: number;
  notBeforeMs: number;
  consumerId: string;
  deliveredAtMs: number;
}

export type Outstanding = Queued;

export function queued(message: StoredMessage, redeliveryCount: number, notBeforeMs: number): Queued {
  return { message, redeliveryCount, notBeforeMs, consumerId: '', deliveredAtMs: 0 };
}

/** Inserts keeping (partition, offset) order, so a promoted Failover consumer gets messages in order. */
export function insertInOrder(queue: Queued[], item: Queued): void {
  const before = (a: StoredMessage, b: StoredMessage) => a.partition < b.partition || (a.partition === b.partition && a.offset < b.offset);
  let i = queue.length;
  while (i > 0 && before(item.message, queue[i - 1].message)) i--;
  queue.splice(i, 0, item);
}

/**
 * What the dispatch domain sees: messages decoded from the partition log, consumers as small
 * callbacks, and an injectable clock so tests drive time by hand.
 */
import type { Header, SubscriptionType } from '../../../protocol/native/messages';

export interface StoredMessage {
  partition: number;
  offset: bigint;
  publishTimeMs: bigint;
  key: Buffer | null;
  headers: Header[];
  payload: Buffer;
}

export interface SubscriptionConsumer {
  /** Unique within the broker (connection id + client consumer id). */
  readonly id: string;
  readonly name: string;
  /** Lower is preferred (Failover). */
  readonly priority: number;
  push(message: StoredMessage, redeliveryCount: number): void;
  /** Failover: this consumer became (or stopped being) the active one. */
  activeChanged(active: boolean): void;
  /** True while the consumer's connection has too many unflushed bytes: it gets nothing new. */
  backpressured?(): boolean;
  /** The broker dropped the subscription here (topic moved or deleted): tell the client to look up again. */
  closedByBroker?(): void;
}

export interface Clock {
  nowMs(): number;
}

export interface SubscriptionOptions {
  topic: string;
  name: string;
  type: SubscriptionType;
  ackTimeoutMs: number;
  maxRedeliveries: number;
  nackBackoffMsMin: number;
  nackBackoffMsMax: number;
  bufferMessagesMax: number;
  consumerUnackedMessagesMax: number;
  consumerPermitsMax: number;
  clock: Clock;
  /** Stores a message in the dead-letter topic; the message is acked once it resolves. */
  deadLetter?: (message: StoredMessage) => Promise<void>;
  /** Called after any change of a cursor (ack), for persistence. */
  onCursorChange?: (partition: number) => void;
}

const PARTITION_SHIFT = 2n ** 48n;
const partitionBases: bigint[] = [];

/**
 * One bigint per (partition, offset) for map keys: offsets stay below 2^48 and the partition
 * sits above them. Cheaper than building strings on every delivery.
 */
export function messageKey(partition: number, offset: bigint): bigint {
  if (partition === 0) return offset;
  let base = partitionBases[partition];
  if (base === undefined) base = partitionBases[partition] = BigInt(partition) * PARTITION_SHIFT;
  return base + offset;
}

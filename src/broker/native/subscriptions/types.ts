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
  /** The stored (uncompressed) batch holding this message, when it may be pushed as it is (MESSAGE_BATCH). */
  batch?: Buffer;
}

/**
 * Consecutive messages of one stored batch that dispatch has not decoded: the records of `batch`
 * (uncompressed, well formed, offsetDelta = index, checked by stored-runs.ts) with offsets
 * first..last inclusive. Exclusive and Failover subscriptions deliver and track them whole.
 */
export interface StoredRun {
  partition: number;
  batch: Buffer;
  first: bigint;
  last: bigint;
}

export interface SubscriptionConsumer {
  /** Unique within the broker (connection id + client consumer id). */
  readonly id: string;
  readonly name: string;
  /** Lower is preferred (Failover). */
  readonly priority: number;
  push(message: StoredMessage, redeliveryCount: number): void;
  /** First delivery of a whole run; without it the subscription decodes the run and calls push per message. */
  pushRun?(run: StoredRun): void;
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
/** Number keys: partition * 2^40 + offset stays below 2^53 for partitions < 8192 and offsets < 2^40. */
const NUMBER_KEY_OFFSET_LIMIT = 2n ** 40n;
const NUMBER_KEY_PARTITIONS = 8192;
const NUMBER_KEY_SHIFT = 2 ** 40;

/** A Map key per (partition, offset): a number almost always, a bigint beyond the number range. */
export type MessageKey = number | bigint;

/**
 * One key per (partition, offset) for map keys, cheaper than strings on every delivery. It is a
 * number (partition above 2^40) whenever that is exact, because a Map hashes numbers about twice
 * as fast as bigints; otherwise a bigint (partition above 2^48). A number never equals a bigint
 * as a Map key, so the two ranges cannot collide.
 */
export function messageKey(partition: number, offset: bigint): MessageKey {
  if (partition < NUMBER_KEY_PARTITIONS && offset < NUMBER_KEY_OFFSET_LIMIT) return partition * NUMBER_KEY_SHIFT + Number(offset);
  let base = partitionBases[partition];
  if (base === undefined) base = partitionBases[partition] = BigInt(partition) * PARTITION_SHIFT;
  return base + offset;
}

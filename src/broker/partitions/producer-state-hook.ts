/**
 * The hook where producer-state checks (idempotence, transactions) run on the append path.
 * `beforeAppend` runs synchronously right before the log assigns offsets, so decisions are
 * taken in append order; `afterAppend` runs once the batch is durable.
 */
import type { PartitionLog } from '../../storage/partition-log';
import type { BatchHeader } from './batch-inspector';

export interface PartitionRef {
  readonly topic: string;
  readonly topicId: string;
  readonly partition: number;
}

export type AppendDecision =
  | { kind: 'append' }
  /** A retried batch already in the log: answer with its original offset, append nothing. */
  | { kind: 'duplicate'; baseOffset: bigint };

export interface ProducerStateHook {
  /** May throw a DomainError (e.g. out-of-order sequence) to reject the batch. */
  beforeAppend(partition: PartitionRef, header: BatchHeader): AppendDecision;
  afterAppend(partition: PartitionRef, header: BatchHeader, baseOffset: bigint): void;
  /** The append failed after beforeAppend accepted it. */
  appendFailed(partition: PartitionRef, header: BatchHeader): void;
  /** The partition's log opened: rebuild state from its stored batches before it takes appends. */
  partitionOpened?(partition: PartitionRef, log: PartitionLog): Promise<void>;
}

/** Batches without a producer id (-1) carry no producer state: they are always appended. */
export const stateFreeProducers: ProducerStateHook = {
  beforeAppend: () => ({ kind: 'append' }),
  afterAppend: () => undefined,
  appendFailed: () => undefined,
};

/**
 * Epoch fencing of the tier's writes to shared state (object descriptors, truncation cuts, the
 * cloud log start). In a cluster, every commit compares the leader epoch each partition was
 * opened at, so a paused or cut-off ex-owner that resumes cannot record an object, a cut or a
 * log start over what the new owner relies on. The storage layer only defines the callback; the
 * broker wires it to the coordination layer's fencing (the partition's assignment key).
 */
import type { Compare, MetadataStore, TxnOp, TxnResult } from '../../coordination/metadata-store';

/** A partition as this broker claims to lead it: the tier's name for it and the epoch it was opened at. */
export interface EpochClaim {
  /** The tier's partition name (the broker passes the topic id). */
  topic: string;
  partition: number;
  leaderEpoch: number;
}

export interface EpochFence {
  /**
   * Applies ops atomically only while every claim still holds (this broker leads each partition
   * at the claimed epoch) and every extra compare holds. Rejects with EpochFencedError naming
   * the claims that no longer hold; resolves { succeeded: false } when only the compares failed.
   */
  commit(claims: EpochClaim[], ops: TxnOp[], compares?: Compare[]): Promise<TxnResult>;
}

export class EpochFencedError extends Error {
  constructor(readonly fenced: EpochClaim[], message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EpochFencedError';
  }
}

export function isEpochFenced(error: unknown): error is EpochFencedError {
  return error instanceof EpochFencedError;
}

/**
 * A single node, the only writer of its store: every claim holds and a commit is the store's
 * transaction (the same contract, with nobody to be fenced by).
 */
export function soleWriterFence(store: MetadataStore): EpochFence {
  return { commit: (_claims, ops, compares = []) => store.txn(compares, ops) };
}

export function describeClaims(claims: EpochClaim[]): string {
  return claims.map((c) => `${c.topic}-${c.partition}@${c.leaderEpoch}`).join(', ');
}

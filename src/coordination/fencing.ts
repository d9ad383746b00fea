import { encodeAssignment } from './assignment';
import { CoordinationError } from './errors';
import type { ClusterKeys } from './keys';
import type { Compare, MetadataStore, TxnOp, TxnResult } from './metadata-store';

/** A partition as a broker claims to lead it: at this leader epoch. */
export interface EpochClaim {
  topic: string;
  partition: number;
  leaderEpoch: number;
}

/** A fenced write: `fenced` lists the claims that no longer hold (another owner or epoch took over). */
export class FencedError extends CoordinationError {
  constructor(readonly fenced: EpochClaim[], message: string) {
    super('FENCED', message);
    this.name = 'FencedError';
  }
}

export interface Fencing {
  /**
   * Applies ops (atomically, with any extra compares) only while keys.assignment(topic, partition)
   * still names this broker at leaderEpoch. Throws FencedError (code FENCED) when it does not (a new
   * owner took over); resolves { succeeded: false } when only the extra compares failed.
   */
  writeIfEpoch(topic: string, partition: number, leaderEpoch: number, ops: TxnOp[], compares?: Compare[]): Promise<TxnResult>;
  /**
   * writeIfEpoch for several partitions in one transaction (one object holds ranges of many
   * partitions): applies only while every claim holds; FencedError names every claim that does not.
   */
  writeIfEpochs(claims: EpochClaim[], ops: TxnOp[], compares?: Compare[]): Promise<TxnResult>;
}

/**
 * Epoch fencing for a broker's writes to shared partition state: a paused or partitioned old
 * owner cannot overwrite what the new owner writes, because its transactions compare the
 * assignment value, which every reassignment changes (the leader epoch is bumped).
 */
export function createFencing(store: MetadataStore, keys: ClusterKeys, brokerId: number): Fencing {
  const writeIfEpochs = async (claims: EpochClaim[], ops: TxnOp[], compares: Compare[] = []): Promise<TxnResult> => {
    const held = claims.map((c): Compare => ({ key: keys.assignment(c.topic, c.partition), value: encodeAssignment(brokerId, c.leaderEpoch) }));
    const result = await store.txn([...held, ...compares], ops);
    if (result.succeeded) return result;
    const current = await Promise.all(claims.map((c) => store.get(keys.assignment(c.topic, c.partition))));
    const fenced: string[] = [];
    const fencedClaims: EpochClaim[] = [];
    claims.forEach((claim, i) => {
      const owner = current[i] === null ? null : JSON.parse(current[i]!.value) as { brokerId: number; leaderEpoch: number };
      if (owner?.brokerId === brokerId && owner.leaderEpoch === claim.leaderEpoch) return;
      fencedClaims.push(claim);
      fenced.push(`${claim.topic}-${claim.partition} at leader epoch ${claim.leaderEpoch} (now ${owner ? `broker ${owner.brokerId} at epoch ${owner.leaderEpoch}` : 'unassigned'})`);
    });
    if (fencedClaims.length > 0) throw new FencedError(fencedClaims, `broker ${brokerId} no longer owns ${fenced.join(', ')}`);
    // Every claim holds: the extra compares failed, unless an assignment is stored in another form
    // than encodeAssignment's (more fields); then compare the revision just read instead, once.
    if (current.every((kv, i) => kv!.value === encodeAssignment(brokerId, claims[i].leaderEpoch))) return result;
    return store.txn([...current.map((kv): Compare => ({ key: kv!.key, modRevision: kv!.modRevision })), ...compares], ops);
  };
  return {
    writeIfEpochs,
    writeIfEpoch: (topic, partition, leaderEpoch, ops, compares) => writeIfEpochs([{ topic, partition, leaderEpoch }], ops, compares),
  };
}

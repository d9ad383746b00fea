import { encodeAssignment } from './assignment';
import { CoordinationError } from './errors';
import type { ClusterKeys } from './keys';
import type { Compare, MetadataStore, TxnOp, TxnResult } from './metadata-store';

export interface Fencing {
  /**
   * Applies ops (atomically, with any extra compares) only while keys.assignment(topic, partition)
   * still names this broker at leaderEpoch. Throws CoordinationError FENCED when it does not (a new
   * owner took over); resolves { succeeded: false } when only the extra compares failed.
   */
  writeIfEpoch(topic: string, partition: number, leaderEpoch: number, ops: TxnOp[], compares?: Compare[]): Promise<TxnResult>;
}

/**
 * Epoch fencing for a broker's writes to shared partition state: a paused or partitioned old
 * owner cannot overwrite what the new owner writes, because its transactions compare the
 * assignment value, which every reassignment changes (the leader epoch is bumped).
 */
export function createFencing(store: MetadataStore, keys: ClusterKeys, brokerId: number): Fencing {
  return {
    async writeIfEpoch(topic, partition, leaderEpoch, ops, compares = []) {
      const key = keys.assignment(topic, partition);
      const result = await store.txn([{ key, value: encodeAssignment(brokerId, leaderEpoch) }, ...compares], ops);
      if (result.succeeded) return result;
      const current = await store.get(key);
      const owner = current === null ? null : JSON.parse(current.value) as { brokerId: number; leaderEpoch: number };
      if (owner?.brokerId !== brokerId || owner.leaderEpoch !== leaderEpoch) {
        throw new CoordinationError('FENCED', `broker ${brokerId} no longer owns ${topic}-${partition} at leader epoch ${leaderEpoch}` +
          (owner ? ` (now broker ${owner.brokerId} at epoch ${owner.leaderEpoch})` : ' (unassigned)'));
      }
      return result;
    },
  };
}

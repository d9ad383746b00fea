/**
 * Partition pins: an operator's `tributary admin partition move` sticks (as a Kafka partition
 * reassignment does). `<prefix>pins/<topic>/<partition>` -> { brokerId, leaderEpoch } is written
 * in the same transaction as the moved assignment, and the rebalancer never moves a partition
 * whose pin still matches its assignment. Any later write of the assignment (the next manual
 * move, the pinned broker dying or draining, the topic deleted) leaves the pin behind: it is
 * stale from then on and the controller deletes it.
 */
import { parseAssignmentKey, type StoredAssignment } from './assignment';
import { controllerFence } from './controller';
import type { ClusterKeys } from './keys';
import type { KeyValue, MetadataStore, TxnOp } from './metadata-store';

export interface StoredPin {
  topic: string;
  partition: number;
  brokerId: number;
  leaderEpoch: number;
  key: string;
  modRevision: bigint;
}

/** topic and partition of a key `<prefix><topic>/<partition>` (the tail of assignment keys), or null. */
export function partitionOfKey(keys: ClusterKeys, prefix: string, key: string): { topic: string; partition: number } | null {
  if (!key.startsWith(prefix)) return null;
  return parseAssignmentKey(keys, keys.assignmentsPrefix + key.slice(prefix.length));
}

export function pinsPrefix(keys: ClusterKeys): string {
  return `${keys.root}pins/`;
}

export function pinKey(keys: ClusterKeys, topic: string, partition: number): string {
  return `${pinsPrefix(keys)}${topic}/${partition}`;
}

/** The op pinning a partition to the broker that owns it at this epoch. */
export function pinOp(keys: ClusterKeys, topic: string, partition: number, brokerId: number, leaderEpoch: number): TxnOp {
  return { type: 'put', key: pinKey(keys, topic, partition), value: JSON.stringify({ brokerId, leaderEpoch }) };
}

export function decodePin(keys: ClusterKeys, kv: KeyValue): StoredPin | null {
  const where = partitionOfKey(keys, pinsPrefix(keys), kv.key);
  if (where === null) return null;
  const { brokerId, leaderEpoch } = JSON.parse(kv.value) as { brokerId: number; leaderEpoch: number };
  return { ...where, brokerId, leaderEpoch, key: kv.key, modRevision: kv.modRevision };
}

export async function listPins(store: MetadataStore, keys: ClusterKeys): Promise<StoredPin[]> {
  return (await store.list(pinsPrefix(keys))).flatMap((kv) => decodePin(keys, kv) ?? []);
}

/**
 * True while the assignment is the very one the pin was written with: pin and assignment were
 * put by one transaction, so they share its revision until the assignment is written again
 * (a topic deleted and created again included, whatever epoch it reaches).
 */
export function pinHolds(pin: StoredPin, assignment: StoredAssignment | undefined): boolean {
  return assignment !== undefined && assignment.modRevision === pin.modRevision
    && assignment.brokerId === pin.brokerId && assignment.leaderEpoch === pin.leaderEpoch;
}

/**
 * Controller: deletes a pin whose assignment moved on (or is gone), only while that assignment
 * is still the one judged (`assignment` undefined: still absent) and this controller leads.
 */
export async function clearStalePin(store: MetadataStore, keys: ClusterKeys, controllerEpoch: bigint,
  pin: StoredPin, assignment: StoredAssignment | undefined): Promise<boolean> {
  const compares = [controllerFence(keys, controllerEpoch), { key: pin.key, modRevision: pin.modRevision },
    { key: keys.assignment(pin.topic, pin.partition), modRevision: assignment?.modRevision ?? 0n }];
  return (await store.txn(compares, [{ type: 'delete', key: pin.key }])).succeeded;
}

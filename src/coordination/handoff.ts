/**
 * Partition handoffs: how the controller moves a partition off a healthy broker without losing
 * anything the owner acknowledged. One key per partition being moved,
 * `<prefix>handoffs/<topic>/<partition>` -> HandoffRecord:
 *   1. the controller writes { state: requested, from, to, leaderEpoch } (fenced by the
 *      controller epoch, and only while the assignment is unchanged);
 *   2. the owner stops serving the partition, uploads everything it holds to object storage and
 *      sets state ready, only while the assignment still names it at that epoch; or, when it
 *      cannot upload, state refused;
 *   3. the controller then assigns the partition to `to` with leaderEpoch + 1 and deletes the
 *      key in one transaction (controller fence, assignment and handoff revisions compared).
 * Deleting the key without reassigning cancels the handoff: the owner serves again.
 * An operator's move (`tributary admin partition move`, src/cli/partition-move.ts) writes the
 * same request with `manual: true` and its own `to`, compared against the assignment but not
 * fenced by a controller; the controller completes it like its own, to that broker, and pins
 * the partition there (partition-pin.ts) in the same transaction.
 */
import { encodeAssignment } from './assignment';
import { controllerFence } from './controller';
import type { ClusterKeys } from './keys';
import type { Compare, KeyValue, MetadataStore, TxnOp } from './metadata-store';
import { partitionOfKey, pinOp } from './partition-pin';
import type { PartitionMove } from './rebalance-plan';

/** Starts the reason of a refusal by an owner without an object store (`partition move` offers --force then). */
export const NO_OBJECT_STORE = 'no object store configured';

export type HandoffState = 'requested' | 'ready' | 'refused';

export interface HandoffRecord {
  state: HandoffState;
  from: number;
  to: number;
  /** The epoch of `from`'s ownership being handed off. */
  leaderEpoch: number;
  /** Written by an operator (`partition move`): `to` is the operator's choice, pinned once moved. Absent: the rebalancer's. */
  manual?: boolean;
  /** Why the owner refused (state refused only), e.g. no object store configured. */
  reason?: string;
}

export interface StoredHandoff extends HandoffRecord {
  topic: string;
  partition: number;
  key: string;
  modRevision: bigint;
}

export function handoffsPrefix(keys: ClusterKeys): string {
  return `${keys.root}handoffs/`;
}

export function handoffKey(keys: ClusterKeys, topic: string, partition: number): string {
  return `${handoffsPrefix(keys)}${topic}/${partition}`;
}

export function decodeHandoff(keys: ClusterKeys, kv: KeyValue): StoredHandoff | null {
  const where = partitionOfKey(keys, handoffsPrefix(keys), kv.key);
  if (where === null) return null;
  const record = JSON.parse(kv.value) as HandoffRecord;
  return { ...where, ...fields(record), key: kv.key, modRevision: kv.modRevision };
}

export async function listHandoffs(store: MetadataStore, keys: ClusterKeys): Promise<StoredHandoff[]> {
  return (await store.list(handoffsPrefix(keys))).flatMap((kv) => decodeHandoff(keys, kv) ?? []);
}

/** The record's own fields only (optional ones when set), in a fixed order. */
function fields(record: HandoffRecord): HandoffRecord {
  return { state: record.state, from: record.from, to: record.to, leaderEpoch: record.leaderEpoch,
    ...(record.manual ? { manual: true } : {}), ...(record.reason !== undefined ? { reason: record.reason } : {}) };
}

function encode(record: HandoffRecord): string {
  return JSON.stringify(fields(record));
}

/**
 * Operator: asks the owner (`from`, at `leaderEpoch`) to hand the partition to `to`, only while
 * the assignment is the one read (`assignmentModRevision`) and no handoff of it is under way.
 * Returns the request's revision, or null when either changed.
 */
export async function requestManualHandoff(store: MetadataStore, keys: ClusterKeys, move: PartitionMove): Promise<bigint | null> {
  const key = handoffKey(keys, move.topic, move.partition);
  const compares: Compare[] = [{ key: keys.assignment(move.topic, move.partition), modRevision: move.expectedModRevision }, { key, modRevision: 0n }];
  const record: HandoffRecord = { state: 'requested', from: move.from, to: move.to, leaderEpoch: move.leaderEpoch, manual: true };
  const result = await store.txn(compares, [{ type: 'put', key, value: encode(record) }]);
  return result.succeeded ? result.revision : null;
}

/** Controller: ask owners for handoffs, all or none, only while the assignments are unchanged. */
export async function requestHandoffs(store: MetadataStore, keys: ClusterKeys, controllerEpoch: bigint,
  requests: PartitionMove[]): Promise<boolean> {
  const compares: Compare[] = [controllerFence(keys, controllerEpoch)];
  const ops: TxnOp[] = [];
  for (const r of requests) {
    const key = handoffKey(keys, r.topic, r.partition);
    compares.push({ key: keys.assignment(r.topic, r.partition), modRevision: r.expectedModRevision }, { key, modRevision: 0n });
    ops.push({ type: 'put', key, value: encode({ state: 'requested', from: r.from, to: r.to, leaderEpoch: r.leaderEpoch }) });
  }
  return (await store.txn(compares, ops)).succeeded;
}

/** Owner: answer a request, only while it still owns the partition at the epoch handed off. */
export async function answerHandoff(store: MetadataStore, keys: ClusterKeys, handoff: StoredHandoff,
  state: 'ready' | 'refused', reason?: string): Promise<boolean> {
  const compares: Compare[] = [
    { key: handoff.key, modRevision: handoff.modRevision },
    { key: keys.assignment(handoff.topic, handoff.partition), value: encodeAssignment(handoff.from, handoff.leaderEpoch) },
  ];
  return (await store.txn(compares, [{ type: 'put', key: handoff.key, value: encode({ ...handoff, state, reason }) }])).succeeded;
}

/**
 * Controller: the owner has uploaded; assign the partition to the target at the next epoch and
 * drop the handoff in one transaction; an operator's (manual) move also pins the partition
 * there. `assignmentModRevision` is the assignment's current one.
 */
export async function completeHandoff(store: MetadataStore, keys: ClusterKeys, controllerEpoch: bigint,
  handoff: StoredHandoff, assignmentModRevision: bigint): Promise<boolean> {
  const assignmentKey = keys.assignment(handoff.topic, handoff.partition);
  const compares: Compare[] = [controllerFence(keys, controllerEpoch),
    { key: handoff.key, modRevision: handoff.modRevision }, { key: assignmentKey, modRevision: assignmentModRevision }];
  const ops: TxnOp[] = [
    { type: 'put', key: assignmentKey, value: encodeAssignment(handoff.to, handoff.leaderEpoch + 1) },
    { type: 'delete', key: handoff.key },
  ];
  if (handoff.manual) ops.push(pinOp(keys, handoff.topic, handoff.partition, handoff.to, handoff.leaderEpoch + 1));
  return (await store.txn(compares, ops)).succeeded;
}

/** Cancels (or clears a stale) handoff: the owner, if it still owns the partition, serves it again. */
export async function cancelHandoff(store: MetadataStore, keys: ClusterKeys, handoff: StoredHandoff): Promise<boolean> {
  return (await store.txn([{ key: handoff.key, modRevision: handoff.modRevision }], [{ type: 'delete', key: handoff.key }])).succeeded;
}

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
 */
import { encodeAssignment, parseAssignmentKey } from './assignment';
import { controllerFence } from './controller';
import type { ClusterKeys } from './keys';
import type { Compare, KeyValue, MetadataStore, TxnOp } from './metadata-store';
import type { PartitionMove } from './rebalance-plan';

export type HandoffState = 'requested' | 'ready' | 'refused';

export interface HandoffRecord {
  state: HandoffState;
  from: number;
  to: number;
  /** The epoch of `from`'s ownership being handed off. */
  leaderEpoch: number;
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
  if (!kv.key.startsWith(handoffsPrefix(keys))) return null;
  // Same "<topic>/<partition>" tail as assignment keys.
  const where = parseAssignmentKey(keys, keys.assignmentsPrefix + kv.key.slice(handoffsPrefix(keys).length));
  if (where === null) return null;
  const record = JSON.parse(kv.value) as HandoffRecord;
  return { ...where, state: record.state, from: record.from, to: record.to, leaderEpoch: record.leaderEpoch, key: kv.key, modRevision: kv.modRevision };
}

export async function listHandoffs(store: MetadataStore, keys: ClusterKeys): Promise<StoredHandoff[]> {
  return (await store.list(handoffsPrefix(keys))).flatMap((kv) => decodeHandoff(keys, kv) ?? []);
}

function encode(record: HandoffRecord): string {
  return JSON.stringify({ state: record.state, from: record.from, to: record.to, leaderEpoch: record.leaderEpoch });
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
  state: 'ready' | 'refused'): Promise<boolean> {
  const compares: Compare[] = [
    { key: handoff.key, modRevision: handoff.modRevision },
    { key: keys.assignment(handoff.topic, handoff.partition), value: encodeAssignment(handoff.from, handoff.leaderEpoch) },
  ];
  return (await store.txn(compares, [{ type: 'put', key: handoff.key, value: encode({ ...handoff, state }) }])).succeeded;
}

/**
 * Controller: the owner has uploaded; assign the partition to the target at the next epoch and
 * drop the handoff in one transaction. `assignmentModRevision` is the assignment's current one.
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
  return (await store.txn(compares, ops)).succeeded;
}

/** Cancels (or clears a stale) handoff: the owner, if it still owns the partition, serves it again. */
export async function cancelHandoff(store: MetadataStore, keys: ClusterKeys, handoff: StoredHandoff): Promise<boolean> {
  return (await store.txn([{ key: handoff.key, modRevision: handoff.modRevision }], [{ type: 'delete', key: handoff.key }])).succeeded;
}

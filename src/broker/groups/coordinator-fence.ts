/**
 * Fencing of a group coordinator's offset writes in a cluster. Coordinators are chosen by
 * hashing over the live (registered) brokers (coordinator-locator.ts); there is no offsets
 * partition whose leader epoch could fence them, so each group has its own coordinator epoch
 * (as Kafka's coordinator epoch of a group's __consumer_offsets partition):
 *
 * - `groups/<group>/coordinator` = `{ brokerId, coordinatorEpoch }`. A broker that coordinates
 *   the group (by its view) claims it before its first write: create-if-absent or a CAS bumping
 *   the epoch, compared with its own registration, so only a registered broker can claim.
 * - Every offset write compares that key's value with this broker's claim, and the registration
 *   key's revision as this broker last saw it (watched).
 *
 * A paused or cut-off ex-coordinator (an OffsetCommit read just after the process resumed, an
 * etcd call retried late) carries a claim the new coordinator has since replaced, or a
 * registration that expired: the write fails with NOT_COORDINATOR and the client finds the
 * coordinator again. A broker that coordinates the group again (it came back and wins the hash)
 * claims a new epoch on its next write, which fences the one it took the group from.
 *
 * A coordinator also claims a group before it admits a member (GroupCoordinator.join), and
 * follows every claim through the offset store's watch (observe): when another broker claims a
 * group this one held, the group's members, generation and parked calls are dropped here
 * (onLost), as a Kafka coordinator unloads a group when it loses its __consumer_offsets
 * partition, and for GROUP_LIMITS.movedGroupHoldMs the group is answered NOT_COORDINATOR
 * (movedTo), however this broker's view hashes it: a view lagging behind a joined broker's must
 * not take the group straight back. After the hold the view decides again.
 * The claim key goes with the group: in the transaction deleting its offsets (releaseOps), or
 * alone when an Empty group without offsets expires (release).
 */
import type { ClusterKeys } from '../../coordination/keys';
import type { Compare, MetadataStore, TxnOp, Watch, WatchEvent } from '../../coordination/metadata-store';
import { GROUP_LIMITS } from '../../limits';
import { GroupError } from './group-errors';

export interface OffsetWriteFence {
  /** Compares a write of this group's offsets must carry; claims the group first if this broker holds no claim. */
  compares(groupId: string): Promise<Compare[]>;
  /** Claims the group unless this broker holds a claim not seen lost (before admitting members). */
  claim(groupId: string): Promise<void>;
  /** Whether compares(groupId) needs no claim first (this broker holds the group's claim, or groups are not claimed). */
  holds(groupId: string): boolean;
  /** A write carrying compares(groupId) failed: the claim is stale (the next write claims again). */
  lost(groupId: string): void;
  /** Ops that delete the group's claim, for the transaction deleting the whole group (compares(groupId) first). */
  releaseOps(groupId: string): TxnOp[];
  /** Deletes the group's claim if this broker holds it (an Empty group without offsets expired). */
  release(groupId: string): Promise<void>;
  /** Every event under the groups prefix, in revision order (the offset store's watch). */
  observe(event: WatchEvent): void;
  /** Called with a group's id when another broker claimed (or deleted) a group this broker held. */
  onLost(listener: (groupId: string) => void): void;
  /** The broker that took the group from this one less than movedGroupHoldMs ago, or null. */
  movedTo(groupId: string): number | null;
  close(): Promise<void>;
}

interface GroupClaim {
  brokerId: number;
  coordinatorEpoch: number;
}

/** The registration part: `registrationKey`'s revision, watched, so a write costs no extra read. */
export async function registrationFence(store: MetadataStore, registrationKey: string):
  Promise<OffsetWriteFence & { registration(): Compare; registered(): boolean }> {
  let revision: bigint | null = null;
  let watched = false;
  const watch: Watch = await store.watch(registrationKey, (event) => {
    const key = event.type === 'put' ? event.kv.key : event.key;
    if (key !== registrationKey) return;
    watched = true;
    revision = event.type === 'put' ? event.kv.modRevision : null;
  });
  const current = await store.get(registrationKey);
  if (!watched) revision = current?.modRevision ?? null;
  const registration = (): Compare => {
    if (revision === null) throw new GroupError('not-coordinator', `this broker is not registered (${registrationKey}): it coordinates no group`);
    return { key: registrationKey, modRevision: revision };
  };
  return {
    registration,
    registered: () => revision !== null,
    compares: async () => [registration()],
    claim: async () => { registration(); },
    holds: () => true,
    lost: () => undefined,
    releaseOps: () => [],
    release: async () => undefined,
    observe: () => undefined,
    onLost: () => undefined,
    movedTo: () => null,
    close: () => watch.cancel(),
  };
}

/** Registration plus per-group coordinator epochs (the fence a cluster broker uses). */
export async function coordinatorFence(store: MetadataStore, keys: ClusterKeys, brokerId: number,
  nowMs: () => number = Date.now): Promise<OffsetWriteFence> {
  const registered = await registrationFence(store, keys.broker(brokerId));
  const claims = new ClaimTable();
  const listeners: Array<(groupId: string) => void> = [];
  const claimKey = (groupId: string) => keys.groupCoordinator(encodeURIComponent(groupId));
  const [claimKeyStart, claimKeyEnd] = keys.groupCoordinator('\u0000').split('\u0000');
  const groupOfClaimKey = (key: string): string | null => {
    if (!key.startsWith(claimKeyStart) || !key.endsWith(claimKeyEnd)) return null;
    const encoded = key.slice(claimKeyStart.length, key.length - claimKeyEnd.length);
    return encoded.length === 0 || encoded.includes('/') ? null : decodeURIComponent(encoded);
  };

  const claim = async (groupId: string, registration: Compare): Promise<string> => {
    const key = claimKey(groupId);
    const current = await store.get(key);
    const previous = current === null ? -1 : (JSON.parse(current.value) as GroupClaim).coordinatorEpoch;
    const value = JSON.stringify({ brokerId, coordinatorEpoch: previous + 1 } satisfies GroupClaim);
    const result = await store.txn([registration, { key, modRevision: current?.modRevision ?? 0n }], [{ type: 'put', key, value }]);
    const after = result.succeeded ? null : await store.get(key);
    // A claim the etcd client retried may have applied on its first attempt: then it is ours.
    if (!result.succeeded && after?.value !== value) {
      throw new GroupError('not-coordinator', `group ${groupId}: its coordinator claim changed while this broker claimed it; retry`);
    }
    claims.hold(groupId, value, after?.modRevision ?? result.revision);
    return value;
  };

  const lose = (groupId: string, holder: number | null) => {
    claims.lose(groupId);
    if (holder !== null) claims.moved(groupId, holder, nowMs());
    for (const listener of listeners) listener(groupId);
  };

  return {
    async compares(groupId) {
      const registration = registered.registration();
      const held = claims.value(groupId) ?? await claim(groupId, registration);
      return [registration, { key: claimKey(groupId), value: held }];
    },
    async claim(groupId) {
      if (registered.registered() && claims.holds(groupId)) return;
      await claim(groupId, registered.registration());
    },
    // Unregistered, a broker serves no group: the claim it tries then answers NOT_COORDINATOR.
    holds: (groupId) => registered.registered() && claims.holds(groupId),
    lost: (groupId) => { claims.drop(groupId); },
    releaseOps: (groupId) => {
      claims.drop(groupId);
      return [{ type: 'delete', key: claimKey(groupId) }];
    },
    async release(groupId) {
      const held = claims.value(groupId);
      claims.drop(groupId);
      const key = claimKey(groupId);
      // Only the claim held (or, forgotten, this broker's as read) goes: a claim taken meanwhile, even here, stays.
      if (held !== undefined) {
        await store.txn([{ key, value: held }], [{ type: 'delete', key }]);
        return;
      }
      const current = await store.get(key);
      if (current === null || (JSON.parse(current.value) as GroupClaim).brokerId !== brokerId) return;
      await store.txn([{ key, modRevision: current.modRevision }], [{ type: 'delete', key }]);
    },
    observe(event) {
      const groupId = groupOfClaimKey(event.type === 'put' ? event.kv.key : event.key);
      const held = groupId === null ? undefined : claims.held(groupId);
      if (groupId === null || held === undefined || held.lost) return;
      const revision = event.type === 'put' ? event.kv.modRevision : event.modRevision;
      // An event older than this broker's claim (a claim it replaced, seen late) changes nothing.
      if (revision <= held.revision || (event.type === 'put' && event.kv.value === held.value)) return;
      lose(groupId, event.type === 'put' ? (JSON.parse(event.kv.value) as GroupClaim).brokerId : null);
    },
    onLost: (listener) => { listeners.push(listener); },
    movedTo: (groupId) => claims.movedTo(groupId, nowMs()),
    close: () => registered.close(),
  };
}

interface HeldClaim {
  value: string;
  revision: bigint;
  /** Seen replaced or deleted: writes still carry it, so the next one is refused (NOT_COORDINATOR) and then forgets it. */
  lost: boolean;
}

/** The claims this broker holds and the groups recently taken from it, each bounded like the groups themselves. */
class ClaimTable {
  private readonly claims = new Map<string, HeldClaim>();
  private readonly takenBy = new Map<string, { brokerId: number; atMs: number }>();

  held(groupId: string): HeldClaim | undefined {
    return this.claims.get(groupId);
  }

  /** The claim value writes of the group compare, lost or not. */
  value(groupId: string): string | undefined {
    return this.claims.get(groupId)?.value;
  }

  holds(groupId: string): boolean {
    const held = this.claims.get(groupId);
    return held !== undefined && !held.lost;
  }

  hold(groupId: string, value: string, revision: bigint): void {
    this.takenBy.delete(groupId);
    // A forgotten claim is only claimed again on the next write (or join).
    if (this.claims.size >= GROUP_LIMITS.groupsMax) this.claims.delete(this.claims.keys().next().value!);
    this.claims.set(groupId, { value, revision, lost: false });
  }

  lose(groupId: string): void {
    const held = this.claims.get(groupId);
    if (held) held.lost = true;
  }

  drop(groupId: string): void {
    this.claims.delete(groupId);
  }

  moved(groupId: string, brokerId: number, atMs: number): void {
    this.takenBy.delete(groupId);
    if (this.takenBy.size >= GROUP_LIMITS.groupsMax) this.takenBy.delete(this.takenBy.keys().next().value!);
    this.takenBy.set(groupId, { brokerId, atMs });
  }

  movedTo(groupId: string, nowMs: number): number | null {
    const taken = this.takenBy.get(groupId);
    if (!taken) return null;
    if (nowMs - taken.atMs < GROUP_LIMITS.movedGroupHoldMs) return taken.brokerId;
    this.takenBy.delete(groupId);
    return null;
  }
}

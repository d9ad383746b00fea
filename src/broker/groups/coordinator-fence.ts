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
 */
import type { ClusterKeys } from '../../coordination/keys';
import type { Compare, MetadataStore, Watch } from '../../coordination/metadata-store';
import { GROUP_LIMITS } from '../../limits';
import { GroupError } from './group-errors';

export interface OffsetWriteFence {
  /** Compares a write of this group's offsets must carry; claims the group first if this broker holds no claim. */
  compares(groupId: string): Promise<Compare[]>;
  /** A write carrying compares(groupId) failed: the claim is stale (the next write claims again). */
  lost(groupId: string): void;
  close(): Promise<void>;
}

interface GroupClaim {
  brokerId: number;
  coordinatorEpoch: number;
}

/** The registration part: `registrationKey`'s revision, watched, so a write costs no extra read. */
export async function registrationFence(store: MetadataStore, registrationKey: string): Promise<OffsetWriteFence & { registration(): Compare }> {
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
    compares: async () => [registration()],
    lost: () => undefined,
    close: () => watch.cancel(),
  };
}

/** Registration plus per-group coordinator epochs (the fence a cluster broker uses). */
export async function coordinatorFence(store: MetadataStore, keys: ClusterKeys, brokerId: number): Promise<OffsetWriteFence> {
  const registered = await registrationFence(store, keys.broker(brokerId));
  /** groupId -> the claim value this broker holds (as stored). */
  const claims = new Map<string, string>();
  const claimKey = (groupId: string) => keys.groupCoordinator(encodeURIComponent(groupId));

  const claim = async (groupId: string, registration: Compare): Promise<string> => {
    const key = claimKey(groupId);
    const current = await store.get(key);
    const previous = current === null ? -1 : (JSON.parse(current.value) as GroupClaim).coordinatorEpoch;
    const value = JSON.stringify({ brokerId, coordinatorEpoch: previous + 1 } satisfies GroupClaim);
    const result = await store.txn([registration, { key, modRevision: current?.modRevision ?? 0n }], [{ type: 'put', key, value }]);
    // A claim the etcd client retried may have applied on its first attempt: then it is ours.
    if (!result.succeeded && (await store.get(key))?.value !== value) {
      throw new GroupError('not-coordinator', `group ${groupId}: its coordinator claim changed while this broker claimed it; retry`);
    }
    // Bounded like the groups themselves; a forgotten claim is only claimed again on the next write.
    if (claims.size >= GROUP_LIMITS.groupsMax) claims.delete(claims.keys().next().value!);
    claims.set(groupId, value);
    return value;
  };

  return {
    async compares(groupId) {
      const registration = registered.registration();
      const held = claims.get(groupId) ?? await claim(groupId, registration);
      return [registration, { key: claimKey(groupId), value: held }];
    },
    lost: (groupId) => { claims.delete(groupId); },
    close: () => registered.close(),
  };
}

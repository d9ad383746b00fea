/**
 * Fencing of a group coordinator's offset writes in a cluster. Coordinators are chosen by
 * hashing over the live (registered) brokers, so a broker is a coordinator only while its
 * registration lives. Each offset write compares the registration key's revision as this broker
 * last saw it: once the lease expired (a paused or cut-off broker) the key is gone or was
 * written again under a new lease, so a write from before the pause (an OffsetCommit read just
 * after the process resumed, a retried etcd call) cannot overwrite what the new coordinator
 * committed. The write fails with NOT_COORDINATOR and the client finds the coordinator again.
 */
import type { Compare, MetadataStore, Watch } from '../../coordination/metadata-store';
import { GroupError } from './group-errors';

export interface OffsetWriteFence {
  /** Compares an offset write must carry; throws not-coordinator while this broker is not registered. */
  compares(): Compare[];
  close(): Promise<void>;
}

/** The fence on `registrationKey` (keys.broker(self)): watched, so a write costs no extra read. */
export async function registrationFence(store: MetadataStore, registrationKey: string): Promise<OffsetWriteFence> {
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
  return {
    compares() {
      if (revision === null) throw new GroupError('not-coordinator', `this broker is not registered (${registrationKey}): it coordinates no group`);
      return [{ key: registrationKey, modRevision: revision }];
    },
    close: () => watch.cancel(),
  };
}

import { componentLogger } from '../log';
import { decodeAssignment, type PartitionAssignment } from './assignment';
import type { BrokerRegistration } from './broker-registry';
import type { ControllerInfo } from './controller';
import type { ClusterKeys } from './keys';
import type { KeyValue, MetadataStore, Watch, WatchEvent } from './metadata-store';

const log = componentLogger('cluster-state');

/**
 * A broker's synchronous view of the cluster (brokers, controller, partition assignments), kept
 * current by watches. Built for request handlers that answer Metadata without a store round trip.
 */
export interface ClusterState {
  /** Registered (live) brokers, sorted by id. */
  brokers(): BrokerRegistration[];
  controller(): ControllerInfo | null;
  assignment(topic: string, partition: number): PartitionAssignment | null;
  assignmentsOf(brokerId: number): PartitionAssignment[];
  /** Called after every change applied to the view, with the key that changed. */
  onChange(listener: (key: string) => void): void;
  close(): Promise<void>;
}

export async function watchClusterState(store: MetadataStore, keys: ClusterKeys): Promise<ClusterState> {
  const state = new WatchedClusterState(keys);
  // Watch first, then list: the revision merge below makes the order of the two irrelevant.
  for (const prefix of [keys.brokersPrefix, keys.controller, keys.assignmentsPrefix]) {
    state.watches.push(await store.watch(prefix, (event) => state.applyEvent(event)));
  }
  for (const prefix of [keys.brokersPrefix, keys.controller, keys.assignmentsPrefix]) {
    for (const kv of await store.list(prefix)) state.applyPut(kv);
  }
  return state;
}

class WatchedClusterState implements ClusterState {
  readonly watches: Watch[] = [];
  private readonly kvs = new Map<string, KeyValue>();
  /** Revision of the latest delete per key, so a stale listing cannot resurrect a deleted key. */
  private readonly deletedAt = new Map<string, bigint>();
  private readonly listeners: Array<(key: string) => void> = [];

  constructor(private readonly keys: ClusterKeys) {}

  brokers(): BrokerRegistration[] {
    return [...this.kvs.values()]
      .filter((kv) => kv.key.startsWith(this.keys.brokersPrefix))
      .map((kv) => JSON.parse(kv.value) as BrokerRegistration)
      .sort((a, b) => a.brokerId - b.brokerId);
  }

  controller(): ControllerInfo | null {
    const kv = this.kvs.get(this.keys.controller);
    return kv ? { brokerId: (JSON.parse(kv.value) as { brokerId: number }).brokerId, epoch: kv.createRevision } : null;
  }

  assignment(topic: string, partition: number): PartitionAssignment | null {
    const kv = this.kvs.get(this.keys.assignment(topic, partition));
    return kv ? strip(decodeAssignment(this.keys, kv.key, kv.value, kv.modRevision)) : null;
  }

  assignmentsOf(brokerId: number): PartitionAssignment[] {
    return [...this.kvs.values()]
      .flatMap((kv) => strip(decodeAssignment(this.keys, kv.key, kv.value, kv.modRevision)) ?? [])
      .filter((a) => a.brokerId === brokerId)
      .sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1));
  }

  onChange(listener: (key: string) => void): void {
    this.listeners.push(listener);
  }

  async close(): Promise<void> {
    await Promise.all(this.watches.splice(0).map((watch) => watch.cancel()));
  }

  applyEvent(event: WatchEvent): void {
    if (event.type === 'put') {
      this.applyPut(event.kv);
      return;
    }
    const current = this.kvs.get(event.key);
    if ((this.deletedAt.get(event.key) ?? 0n) >= event.modRevision) return;
    this.deletedAt.set(event.key, event.modRevision);
    if (current && current.modRevision < event.modRevision) {
      this.kvs.delete(event.key);
      this.changed(event.key);
    }
  }

  applyPut(kv: KeyValue): void {
    const tracked = kv.key === this.keys.controller || kv.key.startsWith(this.keys.brokersPrefix) ||
      kv.key.startsWith(this.keys.assignmentsPrefix);
    const current = this.kvs.get(kv.key);
    if (!tracked || (current && current.modRevision >= kv.modRevision) || (this.deletedAt.get(kv.key) ?? 0n) > kv.modRevision) return;
    this.kvs.set(kv.key, kv);
    this.changed(kv.key);
  }

  private changed(key: string): void {
    for (const listener of this.listeners) {
      try {
        listener(key);
      } catch (error) {
        log.error({ err: error, key }, 'cluster state listener threw');
      }
    }
  }
}

function strip(stored: ReturnType<typeof decodeAssignment>): PartitionAssignment | null {
  if (stored === null) return null;
  const { modRevision: _ignored, ...assignment } = stored;
  return assignment;
}

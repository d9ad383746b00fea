/**
 * Persistence of a subscription's cursors through the MetadataStore, under
 * keys.subscription(topic, subscription): `{ type, partitions: { "<p>": CursorState } }`.
 * Changes are coalesced: one write in flight at a time, the next one after cursorFlushMs or at
 * once when an ack asked for a receipt (flush()). Non-reliable topics use no store at all.
 * Every write compares the key's revision with the one this store last saw and, in a cluster, the
 * leader epoch at which this broker leads the topic's partition 0 (a native topic is served by
 * that partition's leader, ownership.ts) as it was when the subscription loaded here: a broker
 * that lost the topic (a paused or cut-off ex-owner, or one whose topic moved away and back)
 * cannot overwrite the new owner's cursor; it is told via onConflict and stops dispatching.
 */
import { encodeAssignment } from '../../../coordination/assignment';
import type { ClusterKeys } from '../../../coordination/keys';
import type { Compare, MetadataStore } from '../../../coordination/metadata-store';
import type { BrokerServices } from '../../services';
import type { SubscriptionType } from '../../../protocol/native/messages';
import { componentLogger } from '../../../log';
import { CursorState, PartitionCursor } from './cursor';

const log = componentLogger('native-cursors');

export interface PersistedSubscription {
  type: SubscriptionType;
  partitions: Record<string, CursorState>;
}

export class CursorStore {
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> | null = null;
  private dirty = false;
  private closed = false;

  constructor(
    private readonly store: MetadataStore,
    private readonly key: string,
    private readonly snapshot: () => PersistedSubscription,
    private readonly flushMs: number,
    /** modRevision of the key as loaded (0n: absent). */
    private revision: bigint,
    private readonly onConflict: () => void = () => undefined,
    /** Compares every write also carries (epochFence: the leader epoch the topic is served at). */
    private readonly fence: Compare[] = [],
  ) {}

  static keyOf(keys: ClusterKeys, kafkaTopic: string, subscription: string): string {
    return keys.subscription(kafkaTopic, subscription);
  }

  /**
   * In a cluster: the compare "partition 0 of the topic is still assigned to this broker at the
   * leader epoch it has now". Take it when the subscription loads (while this broker serves the
   * topic); empty on a single node, where nobody else can serve it.
   */
  static epochFence(services: BrokerServices, kafkaTopic: string): Compare[] {
    if (services.config.metadata.store !== 'etcd') return [];
    const key = services.keys.assignment(kafkaTopic, 0);
    const leaderEpoch = services.cluster.leaderEpochOf(kafkaTopic, 0);
    // Not assigned yet (a topic this subscribe just created): valid until the controller assigns it.
    if (leaderEpoch < 0) return [{ key, modRevision: 0n }];
    return [{ key, value: encodeAssignment(services.cluster.self.nodeId, leaderEpoch) }];
  }

  static async load(store: MetadataStore, key: string): Promise<{ cursors: Map<number, PartitionCursor> | null; revision: bigint }> {
    const kv = await store.get(key);
    if (!kv) return { cursors: null, revision: 0n };
    const persisted = JSON.parse(kv.value) as PersistedSubscription;
    const cursors = new Map<number, PartitionCursor>();
    for (const [p, state] of Object.entries(persisted.partitions)) cursors.set(Number(p), PartitionCursor.fromState(state));
    return { cursors, revision: kv.modRevision };
  }

  /** A cursor changed: persist soon. */
  changed(): void {
    this.dirty = true;
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.flush().catch((err: unknown) => log.warn({ err, key: this.key }, 'cursor persist failed; will retry on the next change'));
    }, this.flushMs);
  }

  /** Resolves once every change made before the call is persisted. */
  async flush(): Promise<void> {
    for (;;) {
      if (this.writing) {
        await this.writing.catch(() => undefined);
        continue;
      }
      if (!this.dirty) return;
      if (this.closed) return;
      this.dirty = false;
      const value = JSON.stringify(this.snapshot());
      const write = this.store.txn([{ key: this.key, modRevision: this.revision }, ...this.fence], [{ type: 'put', key: this.key, value }]).then((result) => {
        if (!result.succeeded) {
          this.closed = true;
          this.onConflict();
          throw new CursorConflictError(`cursor ${this.key} was written by another broker, or the topic's leader epoch moved on; this one stops dispatching it`);
        }
        this.revision = result.revision;
      });
      this.writing = write;
      try {
        await write;
      } catch (err) {
        this.dirty = true;
        throw err;
      } finally {
        this.writing = null;
      }
    }
  }

  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.closed) return;
    await this.flush().catch((err: unknown) => log.warn({ err, key: this.key }, 'final cursor persist failed'));
    this.closed = true;
  }

  async remove(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.dirty = false;
    await this.store.txn([], [{ type: 'delete', key: this.key }]);
  }
}

export class CursorConflictError extends Error {
  override readonly name = 'CursorConflictError';
}

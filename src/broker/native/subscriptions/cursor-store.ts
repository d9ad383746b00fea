/**
 * Persistence of a subscription's cursors through the MetadataStore, under
 * keys.subscription(topic, subscription): `{ type, partitions: { "<p>": CursorState } }`.
 * Changes are coalesced: one write in flight at a time, the next one after cursorFlushMs or at
 * once when an ack asked for a receipt (flush()). Non-reliable topics use no store at all.
 */
import type { ClusterKeys } from '../../../coordination/keys';
import type { MetadataStore } from '../../../coordination/metadata-store';
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
  ) {}

  static keyOf(keys: ClusterKeys, kafkaTopic: string, subscription: string): string {
    return keys.subscription(kafkaTopic, subscription);
  }

  static async load(store: MetadataStore, key: string): Promise<Map<number, PartitionCursor> | null> {
    const kv = await store.get(key);
    if (!kv) return null;
    const persisted = JSON.parse(kv.value) as PersistedSubscription;
    const cursors = new Map<number, PartitionCursor>();
    for (const [p, state] of Object.entries(persisted.partitions)) cursors.set(Number(p), PartitionCursor.fromState(state));
    return cursors;
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
      this.dirty = false;
      const value = JSON.stringify(this.snapshot());
      const write = this.store.txn([], [{ type: 'put', key: this.key, value }]).then(() => undefined);
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

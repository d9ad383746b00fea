/**
 * Persistence of a subscription's cursors through the MetadataStore, under
 * keys.subscription(topic, subscription): `{ type, partitions: { "<p>": CursorState } }`.
 * Changes are coalesced: one write in flight at a time, the next one after cursorFlushMs or at
 * once when an ack asked for a receipt (flush()). Non-reliable topics use no store at all.
 * Every write compares the key's revision with the one this store last saw, so a broker that
 * lost a topic to another one cannot overwrite the new owner's cursor (it is told via onConflict).
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
    /** modRevision of the key as loaded (0n: absent). */
    private revision: bigint,
    private readonly onConflict: () => void = () => undefined,
  ) {}

  static keyOf(keys: ClusterKeys, kafkaTopic: string, subscription: string): string {
    return keys.subscription(kafkaTopic, subscription);
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
      const write = this.store.txn([{ key: this.key, modRevision: this.revision }], [{ type: 'put', key: this.key, value }]).then((result) => {
        if (!result.succeeded) {
          this.closed = true;
          this.onConflict();
          throw new CursorConflictError(`cursor ${this.key} was written by another broker; this one stops dispatching it`);
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

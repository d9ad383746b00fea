/**
 * What the native protocol adds to a topic: its schema and whether it is reliable (persisted
 * cursors). Stored as JSON beside the topic configs, under `<cluster>/native-topics/<kafka name>`,
 * and cached; a topic without an entry is reliable with the bytes schema (Kafka-created topics).
 * Setting a schema uses compare-and-swap, so two producers racing to declare one agree.
 */
import type { ClusterKeys } from '../../coordination/keys';
import type { MetadataStore } from '../../coordination/metadata-store';
import type { SchemaInfo } from '../../protocol/native/messages';
import { NativeError } from './native-error';
import { checkSchemaDefinition, sameSchema } from './schemas';

export interface TopicMeta {
  /** null until a producer or topics.create declares one (bytes is assumed meanwhile). */
  schema: SchemaInfo | null;
  reliable: boolean;
}

const DEFAULT_META: TopicMeta = { schema: null, reliable: true };

export class TopicMetaRegistry {
  private readonly cache = new Map<string, TopicMeta>();

  constructor(private readonly store: MetadataStore, private readonly keys: ClusterKeys) {}

  private key(kafkaTopic: string): string {
    return `${this.keys.root}native-topics/${kafkaTopic}`;
  }

  async get(kafkaTopic: string): Promise<TopicMeta> {
    const cached = this.cache.get(kafkaTopic);
    if (cached) return cached;
    const kv = await this.store.get(this.key(kafkaTopic));
    const meta = kv ? (JSON.parse(kv.value) as TopicMeta) : DEFAULT_META;
    this.cache.set(kafkaTopic, meta);
    return meta;
  }

  /** For a topic being created: its meta, written before the topic exists. */
  async put(kafkaTopic: string, meta: TopicMeta): Promise<void> {
    if (meta.schema) checkSchemaDefinition(meta.schema);
    await this.store.txn([], [{ type: 'put', key: this.key(kafkaTopic), value: JSON.stringify(meta) }]);
    this.cache.set(kafkaTopic, meta);
  }

  /**
   * A producer declares `schema`: set it when the topic has none, accept an equal one, refuse
   * another with schemaMismatch. A bytes declaration on a topic without schema sets nothing.
   */
  async declare(kafkaTopic: string, schema: SchemaInfo): Promise<SchemaInfo> {
    checkSchemaDefinition(schema);
    for (let attempt = 0; attempt < 5; attempt++) {
      const key = this.key(kafkaTopic);
      const kv = await this.store.get(key);
      const meta = kv ? (JSON.parse(kv.value) as TopicMeta) : DEFAULT_META;
      this.cache.set(kafkaTopic, meta);
      const current = meta.schema ?? { type: 'bytes', definition: null };
      if (sameSchema(current, schema)) return current;
      if (meta.schema !== null) {
        throw new NativeError('schemaMismatch', `topic has schema ${describe(current)}; the producer declared ${describe(schema)}`);
      }
      const next: TopicMeta = { ...meta, schema };
      const result = await this.store.txn([{ key, modRevision: kv?.modRevision ?? 0n }], [{ type: 'put', key, value: JSON.stringify(next) }]);
      if (result.succeeded) {
        this.cache.set(kafkaTopic, next);
        return schema;
      }
    }
    throw new NativeError('serviceNotReady', 'schema of the topic changed concurrently; retry');
  }

  async delete(kafkaTopic: string): Promise<void> {
    this.cache.delete(kafkaTopic);
    await this.store.txn([], [{ type: 'delete', key: this.key(kafkaTopic) }]);
  }
}

function describe(schema: SchemaInfo): string {
  return schema.definition ? `${schema.type} (${schema.definition})` : schema.type;
}

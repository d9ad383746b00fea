/**
 * Writing native messages into partition logs: topic resolution with auto-creation (one
 * partition, in an existing namespace, retention from the namespace's policy), schema and size
 * checks, partition choice, and one RecordBatch per SEND (or the client's own, SEND_BATCH) appended
 * like any Kafka batch.
 */
import { partitionForKey } from '../../protocol/native/key-hash';
import type { OutgoingMessage, SchemaInfo } from '../../protocol/native/messages';
import type { BrokerServices } from '../services';
import { isDomainError } from '../errors';
import type { TopicRecord } from '../topics/topic-registry';
import type { NamespaceRegistry } from './namespaces';
import { NativeError } from './native-error';
import type { NativeRecordCodec } from './record-codec';
import { checkMessage, needsMessageChecks } from './schemas';
import type { TopicMetaRegistry } from './topic-meta';
import type { NativeTopicName } from './topic-names';

export class Publisher {
  private roundRobin = 0;

  constructor(
    private readonly services: BrokerServices,
    private readonly codec: NativeRecordCodec,
    private readonly namespaces: NamespaceRegistry,
    private readonly topicMeta: TopicMetaRegistry,
  ) {}

  /** The topic, created with one partition when absent (its namespace must exist). */
  async ensureTopic(name: NativeTopicName, partitions = 1): Promise<TopicRecord> {
    const existing = this.services.topics.get(name.kafka);
    if (existing) return existing;
    const policies = this.namespaces.policiesOf(name.namespace);
    const configs: Record<string, string> = {};
    if (policies.retentionMs !== undefined) configs['retention.ms'] = String(policies.retentionMs);
    try {
      return await this.services.topics.create({ name: name.kafka, partitions, configs });
    } catch (err) {
      const raced = this.services.topics.get(name.kafka);
      if (isDomainError(err, 'topic-exists') && raced) return raced;
      throw err;
    }
  }

  /** Partition for a SEND: the requested one, else by the first message's key, else round robin. */
  choosePartition(requested: number, messages: OutgoingMessage[], partitions: number): number {
    if (requested >= 0) {
      if (requested >= partitions) throw new NativeError('invalidRequest', `partition ${requested} does not exist (${partitions} partitions)`);
      return requested;
    }
    const key = messages[0]?.key;
    if (key && key.length > 0) return partitionForKey(key, partitions);
    this.roundRobin = (this.roundRobin + 1) % partitions;
    return this.roundRobin;
  }

  /** Throws schemaValidation or messageTooLarge before anything is stored. */
  check(messages: OutgoingMessage[], schema: SchemaInfo, maxMessageBytes: number | undefined): void {
    // Bytes without a size policy (the common case) accept every payload: no loop per message.
    if (!needsMessageChecks(schema, maxMessageBytes)) return;
    for (let i = 0; i < messages.length; i++) checkMessage(schema, maxMessageBytes, messages[i].payload, i);
  }

  /** Appends the messages as one batch; resolves with each message's offset once durable. */
  async publish(kafkaTopic: string, partition: number, messages: OutgoingMessage[]): Promise<bigint[]> {
    const baseOffset = await this.appendBatch(kafkaTopic, partition, this.codec.encodeBatch(messages));
    return messages.map((_, i) => baseOffset + BigInt(i));
  }

  /** Appends a RecordBatch as it is (the partition validates it again); resolves with its base offset once durable. */
  async appendBatch(kafkaTopic: string, partition: number, batch: Buffer): Promise<bigint> {
    const target = await this.services.partitions.get(kafkaTopic, partition);
    return (await target.append(batch)).baseOffset;
  }

  /** Schema of a topic for producers (bytes when none was declared). */
  async schemaOf(kafkaTopic: string): Promise<SchemaInfo> {
    return (await this.topicMeta.get(kafkaTopic)).schema ?? { type: 'bytes', definition: null };
  }
}

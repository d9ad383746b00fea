/**
 * CREATE_PRODUCER, SEND and CLOSE_PRODUCER: access modes, namespace limits, schema declaration
 * at creation, per-message schema and size checks, then one record batch per SEND; SEND_BATCH
 * appends the client's own batch after the same checks.
 */
import { NATIVE_LIMITS } from '../../../limits';
import { SEND_BATCH_VERSION, type MessageOf, type OutgoingMessage } from '../../../protocol/native/messages';
import type { NativeHandler, Session, SessionProducer } from '../native-context';
import { NativeError } from '../native-error';
import { requireOwnership } from '../ownership';
import { checkSentBatch } from '../sent-batch';
import { parseTopicName } from '../topic-names';

export const createProducer: NativeHandler = async (session, message) => {
  const m = message as MessageOf<'createProducer'>;
  const { context } = session;
  const { topic, policies } = openHandle(session, 'producer', m.producerId, m.topic);
  const record = await context.publisher.ensureTopic(topic);
  const schema = await context.topicMeta.declare(topic.kafka, m.schema);
  const registryId = `${session.connectionId}/${m.producerId}`;
  context.producers.register(topic.kafka, registryId, { name: m.producerName, accessMode: m.accessMode }, policies.maxProducersPerTopic);
  session.producers.set(m.producerId, {
    topic, partitions: record.partitions, schema, maxMessageBytes: policies.maxMessageBytes, registryId,
  });
  if (session.isClosed()) releaseProducer(session, m.producerId);
  return { type: 'producerCreated', producerId: m.producerId, partitions: record.partitions };
};

export const send: NativeHandler = async (session, message) => {
  const m = message as MessageOf<'send'>;
  const producer = openProducer(session, m.producerId);
  if (m.messages.length === 0) throw new NativeError('invalidRequest', 'SEND carries no message');
  if (m.messages.length > NATIVE_LIMITS.sendMessagesMax) {
    throw new NativeError('invalidRequest', `SEND carries ${m.messages.length} messages; at most ${NATIVE_LIMITS.sendMessagesMax}`);
  }
  const { publisher } = session.context;
  publisher.check(m.messages, producer.schema, producer.maxMessageBytes);
  const partition = publisher.choosePartition(m.partition, m.messages, partitionsOf(session, producer));
  const offsets = await publisher.publish(producer.topic.kafka, partition, m.messages);
  return { type: 'sendReceipt', producerId: m.producerId, partition, offsets };
};

/** The client's RecordBatch, checked (sent-batch.ts) and appended as sent: no record is re-encoded. */
export const sendBatch: NativeHandler = async (session, message) => {
  const m = message as MessageOf<'sendBatch'>;
  if (session.protocolVersion < SEND_BATCH_VERSION) {
    throw new NativeError('invalidRequest', `SEND_BATCH needs protocol version ${SEND_BATCH_VERSION}; this connection speaks ${session.protocolVersion}`);
  }
  const producer = openProducer(session, m.producerId);
  const count = checkSentBatch(m.batch, producer.schema, producer.maxMessageBytes);
  const { publisher } = session.context;
  // -1 picks round robin: the broker does not read keys out of the batch.
  const partition = publisher.choosePartition(m.partition, NO_MESSAGES, partitionsOf(session, producer));
  const baseOffset = await publisher.appendBatch(producer.topic.kafka, partition, m.batch);
  return { type: 'sendBatchReceipt', producerId: m.producerId, partition, baseOffset, count };
};

const NO_MESSAGES: OutgoingMessage[] = [];

/** The producer, on a topic this broker still serves (it may have moved since: the client looks it up again). */
function openProducer(session: Session, producerId: number): SessionProducer {
  const producer = session.producers.get(producerId);
  if (!producer) throw new NativeError('unknownProducer', `producer ${producerId} is not open on this connection`);
  requireOwnership(session.context.services, producer.topic.kafka);
  return producer;
}

function partitionsOf(session: Session, producer: SessionProducer): number {
  return session.context.services.topics.get(producer.topic.kafka)?.partitions ?? producer.partitions;
}

export const closeProducer: NativeHandler = async (session, message) => {
  const m = message as MessageOf<'closeProducer'>;
  const producer = session.producers.get(m.producerId);
  if (!producer) throw new NativeError('unknownProducer', `producer ${m.producerId} is not open on this connection`);
  releaseProducer(session, m.producerId);
  return { type: 'success' };
};

export function releaseProducer(session: Session, producerId: number): void {
  const producer = session.producers.get(producerId);
  if (!producer) return;
  session.producers.delete(producerId);
  session.context.producers.unregister(producer.topic.kafka, producer.registryId);
}

/**
 * Checks a new producer or consumer: its id is free on the connection, the connection holds
 * fewer than handlesPerConnectionMax, and this broker owns its topic; returns the topic and
 * its namespace's policies.
 */
export function openHandle(session: Session, kind: 'producer' | 'consumer', id: number, topicName: string) {
  const open = kind === 'producer' ? session.producers : session.consumers;
  if (open.has(id)) throw new NativeError('invalidRequest', `${kind} id ${id} is already open on this connection`);
  if (session.producers.size + session.consumers.size >= NATIVE_LIMITS.handlesPerConnectionMax) {
    throw new NativeError('policyViolation', `a connection may hold at most ${NATIVE_LIMITS.handlesPerConnectionMax} producers and consumers`);
  }
  const topic = parseTopicName(topicName);
  const policies = session.context.namespaces.policiesOf(topic.namespace);
  requireOwnership(session.context.services, topic.kafka);
  return { topic, policies };
}

/**
 * Topic name rules, as Kafka's org.apache.kafka.common.internals.Topic.validate: 1..249 chars of
 * [a-zA-Z0-9._-], not "." or "..".
 */
import { KAFKA_BROKER_LIMITS } from '../../limits';
import { DomainError } from '../errors';

const LEGAL = /^[a-zA-Z0-9._-]+$/;

export function validateTopicName(name: string): void {
  if (name.length === 0) throw new DomainError('invalid-topic', 'topic name is empty');
  if (name === '.' || name === '..') throw new DomainError('invalid-topic', `topic name cannot be "${name}"`);
  if (name.length > KAFKA_BROKER_LIMITS.topicNameLengthMax) {
    throw new DomainError('invalid-topic', `topic name is ${name.length} chars, longer than ${KAFKA_BROKER_LIMITS.topicNameLengthMax}`);
  }
  if (!LEGAL.test(name)) {
    throw new DomainError('invalid-topic', `topic name "${name}" has characters other than ASCII letters, digits, '.', '_' and '-'`);
  }
}

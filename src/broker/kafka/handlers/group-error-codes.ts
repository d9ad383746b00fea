/**
 * Group and producer-id outcomes as Kafka error codes: the one mapping point for GroupErrorKind
 * (error-mapping.ts maps the other domain kinds), numbers from the protocol's error table.
 */
import { KAFKA_ERRORS } from '../../../protocol/kafka/error-codes';
import type { GroupErrorKind } from '../../groups/group-errors';

export const GroupErrorCode = {
  NONE: 0,
  UNKNOWN_TOPIC_OR_PARTITION: KAFKA_ERRORS.UNKNOWN_TOPIC_OR_PARTITION.code,
  OFFSET_METADATA_TOO_LARGE: KAFKA_ERRORS.OFFSET_METADATA_TOO_LARGE.code,
  COORDINATOR_LOAD_IN_PROGRESS: KAFKA_ERRORS.COORDINATOR_LOAD_IN_PROGRESS.code,
  COORDINATOR_NOT_AVAILABLE: KAFKA_ERRORS.COORDINATOR_NOT_AVAILABLE.code,
  NOT_COORDINATOR: KAFKA_ERRORS.NOT_COORDINATOR.code,
  ILLEGAL_GENERATION: KAFKA_ERRORS.ILLEGAL_GENERATION.code,
  INCONSISTENT_GROUP_PROTOCOL: KAFKA_ERRORS.INCONSISTENT_GROUP_PROTOCOL.code,
  INVALID_GROUP_ID: KAFKA_ERRORS.INVALID_GROUP_ID.code,
  UNKNOWN_MEMBER_ID: KAFKA_ERRORS.UNKNOWN_MEMBER_ID.code,
  INVALID_SESSION_TIMEOUT: KAFKA_ERRORS.INVALID_SESSION_TIMEOUT.code,
  REBALANCE_IN_PROGRESS: KAFKA_ERRORS.REBALANCE_IN_PROGRESS.code,
  INVALID_REQUEST: KAFKA_ERRORS.INVALID_REQUEST.code,
  NON_EMPTY_GROUP: KAFKA_ERRORS.NON_EMPTY_GROUP.code,
  GROUP_ID_NOT_FOUND: KAFKA_ERRORS.GROUP_ID_NOT_FOUND.code,
  MEMBER_ID_REQUIRED: KAFKA_ERRORS.MEMBER_ID_REQUIRED.code,
  GROUP_MAX_SIZE_REACHED: KAFKA_ERRORS.GROUP_MAX_SIZE_REACHED.code,
  FENCED_INSTANCE_ID: KAFKA_ERRORS.FENCED_INSTANCE_ID.code,
  GROUP_SUBSCRIBED_TO_TOPIC: KAFKA_ERRORS.GROUP_SUBSCRIBED_TO_TOPIC.code,
} as const;

const BY_KIND: Record<GroupErrorKind, number> = {
  'unknown-member-id': GroupErrorCode.UNKNOWN_MEMBER_ID,
  'illegal-generation': GroupErrorCode.ILLEGAL_GENERATION,
  'rebalance-in-progress': GroupErrorCode.REBALANCE_IN_PROGRESS,
  'member-id-required': GroupErrorCode.MEMBER_ID_REQUIRED,
  'inconsistent-group-protocol': GroupErrorCode.INCONSISTENT_GROUP_PROTOCOL,
  'invalid-session-timeout': GroupErrorCode.INVALID_SESSION_TIMEOUT,
  'invalid-group-id': GroupErrorCode.INVALID_GROUP_ID,
  'group-id-not-found': GroupErrorCode.GROUP_ID_NOT_FOUND,
  'non-empty-group': GroupErrorCode.NON_EMPTY_GROUP,
  'coordinator-not-available': GroupErrorCode.COORDINATOR_NOT_AVAILABLE,
  'not-coordinator': GroupErrorCode.NOT_COORDINATOR,
  'group-max-size-reached': GroupErrorCode.GROUP_MAX_SIZE_REACHED,
  'fenced-instance-id': GroupErrorCode.FENCED_INSTANCE_ID,
  'unknown-topic-or-partition': GroupErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  'offset-metadata-too-large': GroupErrorCode.OFFSET_METADATA_TOO_LARGE,
  'group-subscribed-to-topic': GroupErrorCode.GROUP_SUBSCRIBED_TO_TOPIC,
  'invalid-request': GroupErrorCode.INVALID_REQUEST,
};

export function groupErrorCode(kind: GroupErrorKind | null): number {
  return kind === null ? GroupErrorCode.NONE : BY_KIND[kind];
}

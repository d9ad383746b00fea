/**
 * Group and producer-id outcomes as Kafka error codes (Kafka Errors.java): the one mapping point
 * for GroupErrorKind, next to error-mapping.ts which maps the other domain kinds.
 */
import type { GroupErrorKind } from '../../groups/group-errors';

export const GroupErrorCode = {
  NONE: 0,
  UNKNOWN_TOPIC_OR_PARTITION: 3,
  OFFSET_METADATA_TOO_LARGE: 12,
  COORDINATOR_LOAD_IN_PROGRESS: 14,
  COORDINATOR_NOT_AVAILABLE: 15,
  NOT_COORDINATOR: 16,
  ILLEGAL_GENERATION: 22,
  INCONSISTENT_GROUP_PROTOCOL: 23,
  INVALID_GROUP_ID: 24,
  UNKNOWN_MEMBER_ID: 25,
  INVALID_SESSION_TIMEOUT: 26,
  REBALANCE_IN_PROGRESS: 27,
  INVALID_REQUEST: 42,
  NON_EMPTY_GROUP: 68,
  GROUP_ID_NOT_FOUND: 69,
  MEMBER_ID_REQUIRED: 79,
  GROUP_MAX_SIZE_REACHED: 81,
  FENCED_INSTANCE_ID: 82,
  GROUP_SUBSCRIBED_TO_TOPIC: 86,
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

/**
 * The one place where failures become Kafka error codes (Kafka Errors.forException). Domain
 * errors map by kind; anything else is UNKNOWN_SERVER_ERROR and is logged once, with context.
 */
import { componentLogger } from '../../log';
import { StorageError, StorageErrorCode } from '../../storage/errors';
import { DomainError, DomainErrorKind } from '../errors';
import { ErrorCode } from './error-codes';

const log = componentLogger('kafka-errors');

const BY_KIND: Record<DomainErrorKind, number> = {
  'unknown-topic': ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  'unknown-topic-id': ErrorCode.UNKNOWN_TOPIC_ID,
  'topic-exists': ErrorCode.TOPIC_ALREADY_EXISTS,
  'invalid-topic': ErrorCode.INVALID_TOPIC_EXCEPTION,
  'invalid-partitions': ErrorCode.INVALID_PARTITIONS,
  'invalid-replication-factor': ErrorCode.INVALID_REPLICATION_FACTOR,
  'invalid-config': ErrorCode.INVALID_CONFIG,
  'corrupt-batch': ErrorCode.CORRUPT_MESSAGE,
  'batch-too-large': ErrorCode.MESSAGE_TOO_LARGE,
  'invalid-record': ErrorCode.INVALID_RECORD,
  'unsupported-batch-format': ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT,
  'unsupported-compression': ErrorCode.UNSUPPORTED_COMPRESSION_TYPE,
  'offset-out-of-range': ErrorCode.OFFSET_OUT_OF_RANGE,
  'not-leader': ErrorCode.NOT_LEADER_OR_FOLLOWER,
  'topic-deletion-disabled': ErrorCode.TOPIC_DELETION_DISABLED,
  'invalid-request': ErrorCode.INVALID_REQUEST,
  'policy-violation': ErrorCode.POLICY_VIOLATION,
  'out-of-order-sequence': ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
  'invalid-producer-epoch': ErrorCode.INVALID_PRODUCER_EPOCH,
  'unknown-producer-id': ErrorCode.UNKNOWN_PRODUCER_ID,
  'storage-error': ErrorCode.KAFKA_STORAGE_ERROR,
};

const BY_STORAGE_CODE: Record<StorageErrorCode, number> = {
  OFFSET_OUT_OF_RANGE: ErrorCode.OFFSET_OUT_OF_RANGE,
  BATCH_TOO_LARGE: ErrorCode.MESSAGE_TOO_LARGE,
  INVALID_BATCH: ErrorCode.CORRUPT_MESSAGE,
  INVALID_ARGUMENT: ErrorCode.INVALID_REQUEST,
  // A closing log is a partition that moved or a broker stopping: the client retries elsewhere.
  LOG_CLOSED: ErrorCode.NOT_LEADER_OR_FOLLOWER,
  CORRUPT_LOG: ErrorCode.KAFKA_STORAGE_ERROR,
  STORAGE_IO: ErrorCode.KAFKA_STORAGE_ERROR,
  APPEND_QUEUE_FULL: ErrorCode.REQUEST_TIMED_OUT,
};

export interface ErrorContext {
  api: string;
  topic?: string;
  partition?: number;
  remote?: string;
}

export function errorCodeFor(err: unknown, context: ErrorContext): number {
  if (err instanceof DomainError) return BY_KIND[err.kind];
  if (err instanceof StorageError) {
    const code = BY_STORAGE_CODE[err.code];
    if (code === ErrorCode.KAFKA_STORAGE_ERROR) log.error({ err, ...context }, 'storage failure');
    return code;
  }
  log.error({ err, ...context }, 'unexpected failure answered as UNKNOWN_SERVER_ERROR');
  return ErrorCode.UNKNOWN_SERVER_ERROR;
}

/** The message to put in a response's error_message field (domain errors only; never internals). */
export function errorMessageFor(err: unknown): string | null {
  return err instanceof DomainError || err instanceof StorageError ? err.message : null;
}

/**
 * The error of one topic in CreateTopics, DeleteTopics or CreatePartitions: a metadata store
 * that did not answer is REQUEST_TIMED_OUT (the change may or may not have been applied, as
 * when a Kafka controller times out; clients retry), anything else maps as everywhere.
 */
import { isStoreTimeout } from '../../cluster/topic-admin-wait';
import { ErrorCode } from '../error-codes';
import { type ErrorContext, errorCodeFor, errorMessageFor } from '../error-mapping';

export function topicAdminError(err: unknown, context: ErrorContext): { errorCode: number; errorMessage: string | null } {
  if (isStoreTimeout(err)) {
    return { errorCode: ErrorCode.REQUEST_TIMED_OUT, errorMessage: `the metadata store did not answer: ${(err as Error).message}` };
  }
  return { errorCode: errorCodeFor(err, context), errorMessage: errorMessageFor(err) };
}

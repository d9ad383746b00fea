/**
 * Per-topic errors of CreateTopics, DeleteTopics and CreatePartitions. A metadata store that did
 * not answer is REQUEST_TIMED_OUT (the change may or may not have been applied, as when a Kafka
 * controller times out; clients retry); anything else maps as everywhere.
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

/**
 * Names (or ids) given more than once in one request: Kafka answers each of them with
 * INVALID_REQUEST and acts on none (ControllerApis, "Duplicate topic").
 */
export function duplicatesIn(names: string[]): Set<string> {
  const seen = new Set<string>();
  const twice = new Set<string>();
  for (const name of names) (seen.has(name) ? twice : seen).add(name);
  return twice;
}

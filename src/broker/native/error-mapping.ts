/**
 * The one place where an exception becomes a native error code (CONVENTIONS §6). Unknown
 * failures become `unknown` and are logged once with context by the caller.
 */
import { NATIVE_ERRORS, NativeErrorName } from '../../protocol/native/error-codes';
import { DomainError, DomainErrorKind } from '../errors';
import { NativeError } from './native-error';

const BY_DOMAIN_KIND: Partial<Record<DomainErrorKind, NativeErrorName>> = {
  'unknown-topic': 'topicNotFound',
  'unknown-topic-id': 'topicNotFound',
  'topic-exists': 'alreadyExists',
  'invalid-topic': 'invalidRequest',
  'invalid-partitions': 'invalidRequest',
  'invalid-config': 'invalidRequest',
  'invalid-request': 'invalidRequest',
  'policy-violation': 'policyViolation',
  'batch-too-large': 'messageTooLarge',
  // A SEND_BATCH the partition's batch checks refuse (sent-batch.ts checks first; tests may plug in other inspectors).
  'corrupt-batch': 'invalidRequest',
  'invalid-record': 'invalidRequest',
  'unsupported-compression': 'invalidRequest',
  'not-leader': 'notOwner',
  'storage-error': 'storageError',
  'offset-out-of-range': 'invalidRequest',
};

export function nativeErrorFor(err: unknown): { code: number; name: NativeErrorName; message: string; expected: boolean } {
  if (err instanceof NativeError) return { code: NATIVE_ERRORS[err.code], name: err.code, message: err.message, expected: true };
  if (err instanceof DomainError) {
    const name = BY_DOMAIN_KIND[err.kind];
    if (name) return { code: NATIVE_ERRORS[name], name, message: err.message, expected: true };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { code: NATIVE_ERRORS.unknown, name: 'unknown', message: `internal error: ${message}`, expected: false };
}

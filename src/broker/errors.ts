/**
 * Typed domain errors. Domain code (topics, partitions) throws these with a kind; the Kafka
 * layer maps kinds to wire error codes in one place (kafka/error-mapping.ts), and the native
 * protocol can map the same kinds to its own codes.
 */

export type DomainErrorKind =
  | 'unknown-topic'
  | 'unknown-topic-id'
  | 'topic-exists'
  | 'invalid-topic'
  | 'invalid-partitions'
  | 'invalid-replication-factor'
  | 'invalid-config'
  | 'corrupt-batch'
  | 'batch-too-large'
  | 'invalid-record'
  | 'unsupported-batch-format'
  | 'unsupported-compression'
  | 'offset-out-of-range'
  | 'not-leader'
  | 'topic-deletion-disabled'
  | 'invalid-request'
  | 'policy-violation'
  | 'out-of-order-sequence'
  | 'invalid-producer-epoch'
  | 'unknown-producer-id'
  | 'storage-error';

export class DomainError extends Error {
  constructor(readonly kind: DomainErrorKind, message: string) {
    super(message);
    this.name = 'DomainError';
  }
}

export function isDomainError(err: unknown, kind?: DomainErrorKind): err is DomainError {
  return err instanceof DomainError && (kind === undefined || err.kind === kind);
}

/**
 * Errors of the metadata store and of the cluster pieces built on it. Each carries a stable
 * `code` so callers (the broker's error mapping) can branch without parsing messages.
 */
export type CoordinationErrorCode =
  | 'STORE_CLOSED'
  | 'STORE_FAILED'
  | 'STORE_OVERLOADED'
  | 'STORE_UNAVAILABLE'
  | 'STORE_LOCKED'
  | 'LEASE_NOT_FOUND'
  | 'INVALID_REQUEST'
  | 'DUPLICATE_BROKER_ID'
  | 'FENCED';

export class CoordinationError extends Error {
  constructor(readonly code: CoordinationErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CoordinationError';
  }
}

export function isCoordinationError(error: unknown, code?: CoordinationErrorCode): error is CoordinationError {
  return error instanceof CoordinationError && (code === undefined || error.code === code);
}

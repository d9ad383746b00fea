/**
 * Errors seen by users of the native client: a broker ERROR frame (with its code and name), or
 * a lost connection / timeout (retriable).
 */
import { NativeErrorName, nativeErrorName } from '../protocol/native/error-codes';

export class TributaryError extends Error {
  override readonly name: string = 'TributaryError';
  readonly codeName: NativeErrorName;

  constructor(readonly code: number, message: string) {
    super(`${nativeErrorName(code)}: ${message}`);
    this.codeName = nativeErrorName(code);
  }
}

export class ConnectionLostError extends Error {
  override readonly name = 'ConnectionLostError';
}

export class RequestTimeoutError extends Error {
  override readonly name = 'RequestTimeoutError';
}

/** Errors after which a reconnect (and a new lookup) may succeed. */
export function isRetriable(err: unknown): boolean {
  if (err instanceof ConnectionLostError || err instanceof RequestTimeoutError) return true;
  if (err instanceof TributaryError) return err.codeName === 'notOwner' || err.codeName === 'serviceNotReady' || err.codeName === 'storageError';
  const code = (err as NodeJS.ErrnoException)?.code;
  return code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'EPIPE' || code === 'ETIMEDOUT';
}

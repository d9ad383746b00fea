/**
 * Errors of the native domain carry the wire error name they map to (docs/native-protocol.md §4);
 * error-mapping.ts turns any exception into a code in one place.
 */
import type { NativeErrorName } from '../../protocol/native/error-codes';

export class NativeError extends Error {
  constructor(readonly code: NativeErrorName, message: string) {
    super(message);
    this.name = 'NativeError';
  }
}

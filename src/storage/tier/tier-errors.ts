/**
 * Errors of the object-store tier. Corruption is a StorageError with code CORRUPT_LOG so the
 * broker maps it like a corrupt WAL segment; it is never repaired silently.
 */
import { StorageError } from '../errors';

export class TierCorruptError extends StorageError {
  constructor(readonly where: string, reason: string) {
    super('CORRUPT_LOG', `corrupt tiered data in ${where}: ${reason}`);
    this.name = 'TierCorruptError';
  }
}

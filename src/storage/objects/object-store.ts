/**
 * Object storage seen by the tier: whole objects written once, read back by byte range.
 * Deliberately small (CONVENTIONS §8): the tier needs nothing else, and every backend that
 * opendal speaks (fs, memory, s3, azblob, gcs) can honour these six calls.
 *
 * Keys are relative paths with `/` separators ("objects/1/00000000000000000042.tob").
 */

export interface ObjectInfo {
  key: string;
  sizeBytes: number;
}

export interface ByteRange {
  offset: number;
  length: number;
}

export interface ObjectStore {
  /** Backend name for logs and metrics ("fs", "s3", ...). */
  readonly backend: string;
  /** True when putIfAbsent is enforced by the backend (s3rver, for one, silently ignores it). */
  readonly conditionalCreate: boolean;
  /**
   * Writes the whole object; a reader sees either nothing or every byte. Overwrites an existing key.
   * The store is done with `body` once the promise settles: the uploader reuses that buffer.
   */
  put(key: string, body: Buffer): Promise<void>;
  /**
   * Creates the object only if the key is free: true when written, false when it already existed.
   * Throws ObjectStoreUnsupportedError when the backend cannot enforce the condition.
   */
  putIfAbsent(key: string, body: Buffer): Promise<boolean>;
  /** The whole object, or only `range`. Throws ObjectNotFoundError for a missing key. */
  get(key: string, range?: ByteRange): Promise<Buffer>;
  /** Size of the object, or null when it does not exist. */
  stat(key: string): Promise<ObjectInfo | null>;
  /** Keys of every object whose key starts with `prefix`, sorted. */
  list(prefix: string): Promise<string[]>;
  /** Removes the object; deleting a missing key succeeds. */
  delete(key: string): Promise<void>;
}

/** Any failure of the object store; `temporary` says whether retrying may help. */
export class ObjectStoreError extends Error {
  constructor(message: string, readonly temporary: boolean, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ObjectStoreError';
  }
}

export class ObjectNotFoundError extends ObjectStoreError {
  constructor(readonly key: string, options?: { cause?: unknown }) {
    super(`object ${key} does not exist`, false, options);
    this.name = 'ObjectNotFoundError';
  }
}

export class ObjectStoreUnsupportedError extends ObjectStoreError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, false, options);
    this.name = 'ObjectStoreUnsupportedError';
  }
}

/** Bad configuration: unknown backend, missing bucket, unparsable URL. Reported at startup. */
export class ObjectStoreConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ObjectStoreConfigError';
  }
}

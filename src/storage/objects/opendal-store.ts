/**
 * ObjectStore over opendal 0.49.2 (pinned: later 0.49.x builds need GLIBC 2.38). One class for
 * every backend; the differences opendal leaves visible are handled here (environment.md §2):
 * error kinds only in the message prefix, fs listing directories and the root itself,
 * options silently ignored when a capability is missing.
 */
import { Operator } from 'opendal';
import { join } from 'node:path';
import { TIER_LIMITS } from '../../limits';
import {
  ByteRange, ObjectInfo, ObjectNotFoundError, ObjectStore, ObjectStoreConfigError, ObjectStoreError, ObjectStoreUnsupportedError,
} from './object-store';
import { ObjectStoreConfig, resolveCredentials } from './object-store-config';

/** fs writes land here first and are renamed into place, so a crash never leaves half an object under its key. */
const FS_STAGING_DIR = '.staging';

export class OpendalObjectStore implements ObjectStore {
  readonly backend: string;
  readonly conditionalCreate: boolean;
  private readonly operator: Operator;
  /**
   * memory and fs: putIfAbsent calls on one key are serialized in-process. A memory Operator is
   * private to its instance, and opendal's fs check-then-rename (atomic_write_dir) is not atomic
   * between concurrent writers; an fs store belongs to one broker process.
   */
  private readonly localCreates = new Map<string, Promise<unknown>>();
  /** A put larger than this is handed over in pieces (see putInPieces); null: in one call. */
  readonly putPieceBytes: number | null;

  /** `putPieceBytes` overrides the backend's piece size (tests use small pieces to cover several). */
  constructor(config: ObjectStoreConfig, options: { putPieceBytes?: number } = {}) {
    const resolved = resolveCredentials(config);
    this.backend = resolved.backend;
    this.putPieceBytes = options.putPieceBytes ?? defaultPutPieceBytes(resolved.backend);
    this.operator = new Operator(resolved.backend, operatorOptions(resolved));
    this.conditionalCreate = resolved.backend === 'fs' || resolved.backend === 'azblob' || resolved.backend === 'memory'
      || (resolved.backend === 's3' && resolved.conditionalCreate === true);
  }

  async put(key: string, body: Buffer): Promise<void> {
    if (this.putPieceBytes !== null && body.length > this.putPieceBytes) {
      const pieceBytes = this.putPieceBytes;
      await this.call('write', key, () => this.putInPieces(checkKey(key), body, pieceBytes));
      return;
    }
    await this.call('write', key, () => this.operator.write(checkKey(key), body));
  }

  /**
   * One object handed to opendal's Writer in pieces of at most `pieceBytes`, all about the same
   * size: opendal copies each piece it is given into memory of its own, and a piece no larger
   * than glibc's largest mmap threshold (32 MiB) is served from memory the previous pieces freed,
   * where a whole 64 MiB object took fresh pages every time (256 page faults per MiB; see
   * TIER_LIMITS.remotePutPieceBytes). Nothing is visible under the key before close: fs writes a
   * staged file, fsynced and renamed at close; s3 uploads the pieces as parts of a multipart
   * upload (opendal joins pieces under 5 MiB) completed at close; azblob puts them as blocks
   * committed by the block list at close. A failed piece leaves the writer unclosed: nothing
   * appears under the key (s3 keeps the unfinished upload until the bucket's lifecycle rule
   * aborts it, Azure drops uncommitted blocks after 7 days).
   */
  private async putInPieces(key: string, body: Buffer, pieceBytes: number): Promise<void> {
    const pieces = Math.ceil(body.length / pieceBytes);
    const size = Math.ceil(body.length / pieces);
    const writer = await this.operator.writer(key);
    for (let at = 0; at < body.length; at += size) {
      await writer.write(body.subarray(at, at + size));
    }
    await writer.close();
  }

  async putIfAbsent(key: string, body: Buffer): Promise<boolean> {
    if (!this.conditionalCreate) {
      throw new ObjectStoreUnsupportedError(`${this.backend}: conditional create is not enforced by this backend`);
    }
    if (this.backend === 'memory' || this.backend === 'fs') return this.serializedPutIfAbsent(key, body);
    return this.conditionalPut(key, body);
  }

  private async conditionalPut(key: string, body: Buffer): Promise<boolean> {
    if (this.backend === 'memory') {
      if (await this.stat(key)) return false;
      await this.put(key, body);
      return true;
    }
    try {
      await this.call('write', key, () => this.operator.write(checkKey(key), body, { ifNotExists: true }));
      return true;
    } catch (error) {
      if (error instanceof ObjectStoreError && kindOf(error.cause) === 'ConditionNotMatch') return false;
      throw error;
    }
  }

  async get(key: string, range?: ByteRange): Promise<Buffer> {
    if (range && range.length === 0) return Buffer.alloc(0);
    // opendal's memory service panics (in a runtime thread) on a range past the end: check first.
    if (range && this.backend === 'memory') {
      const size = (await this.stat(key))?.sizeBytes;
      if (size === undefined) throw new ObjectNotFoundError(key);
      if (range.offset + range.length > size) {
        throw new ObjectStoreError(`memory: range ${range.offset}+${range.length} runs past the end of ${key} (${size} bytes)`, false);
      }
    }
    const options = range ? { offset: BigInt(range.offset), size: BigInt(range.length) } : undefined;
    const body = await this.call('read', key, () => this.operator.read(checkKey(key), options));
    if (range && body.length !== range.length) {
      throw new ObjectStoreError(`${this.backend}: read of ${key} returned ${body.length} bytes, expected ${range.length}`, false);
    }
    return body;
  }

  async stat(key: string): Promise<ObjectInfo | null> {
    try {
      const meta = await this.call('stat', key, () => this.operator.stat(checkKey(key)));
      return { key, sizeBytes: Number(meta.contentLength ?? 0n) };
    } catch (error) {
      if (error instanceof ObjectNotFoundError) return null;
      throw error;
    }
  }

  async list(prefix: string): Promise<string[]> {
    // Listing needs a directory: list the prefix's directory and filter by the rest.
    const dir = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/') + 1) : '';
    let entries: string[];
    try {
      const found = await this.call('list', dir, () => this.operator.list(dir, { recursive: true }));
      entries = found.map((entry) => entry.path());
    } catch (error) {
      if (error instanceof ObjectNotFoundError) return [];
      throw error;
    }
    return entries
      .map((path) => path.replace(/^\/+/, ''))
      .filter((path) => path.startsWith(prefix) && !path.endsWith('/') && path !== '' && !path.startsWith(`${FS_STAGING_DIR}/`))
      .sort();
  }

  async delete(key: string): Promise<void> {
    await this.call('delete', key, () => this.operator.delete(checkKey(key)));
  }

  private async serializedPutIfAbsent(key: string, body: Buffer): Promise<boolean> {
    const previous = this.localCreates.get(key) ?? Promise.resolve();
    const attempt = previous.then(() => this.conditionalPut(key, body));
    const settled = attempt.catch(() => undefined);
    this.localCreates.set(key, settled);
    void settled.then(() => {
      if (this.localCreates.get(key) === settled) this.localCreates.delete(key);
    });
    return attempt;
  }

  private async call<T>(operation: string, key: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw mapError(this.backend, operation, key, error);
    }
  }
}

/**
 * fs, s3 and azblob take a put in pieces (putInPieces). memory keeps every piece it is given,
 * so pieces would save it nothing (the stored bytes need fresh pages either way) and it keeps
 * one call; gcs too, untested here (no local server).
 */
function defaultPutPieceBytes(backend: ObjectStoreConfig['backend']): number | null {
  if (backend === 'fs') return TIER_LIMITS.fsPutChunkBytes;
  if (backend === 's3' || backend === 'azblob') return TIER_LIMITS.remotePutPieceBytes;
  return null;
}

function operatorOptions(config: ObjectStoreConfig): Record<string, string> {
  const defined = (options: Record<string, string | undefined>) =>
    Object.fromEntries(Object.entries(options).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== ''));
  switch (config.backend) {
    case 'fs':
      return { root: config.root, atomic_write_dir: join(config.root, FS_STAGING_DIR) };
    case 'memory':
      return { root: '/' };
    case 's3':
      // environment.md §4: without these two, reqsign probes the EC2 metadata endpoint.
      return defined({
        bucket: config.bucket, root: `/${config.prefix}`, region: config.region, endpoint: config.endpoint,
        access_key_id: config.accessKeyId, secret_access_key: config.secretAccessKey, session_token: config.sessionToken,
        disable_config_load: 'true', disable_ec2_metadata: 'true',
      });
    case 'azblob':
      // Without a key or SAS token the signer would fall back to the Azure instance metadata endpoint.
      if (!config.accountKey && !config.sasToken) {
        throw new ObjectStoreConfigError('azblob needs account_key or sas_token (or AZURE_STORAGE_KEY / AZURE_STORAGE_SAS_TOKEN)');
      }
      return defined({
        container: config.container, root: `/${config.prefix}`,
        endpoint: config.endpoint ?? (config.accountName ? `https://${config.accountName}.blob.core.windows.net` : undefined),
        account_name: config.accountName, account_key: config.accountKey, sas_token: config.sasToken,
      });
    case 'gcs':
      // As for s3: credentials come from the config or GOOGLE_APPLICATION_CREDENTIALS, never from a VM metadata probe.
      return defined({
        bucket: config.bucket, root: `/${config.prefix}`, endpoint: config.endpoint, credential_path: config.credentialPath,
        disable_config_load: 'true', disable_vm_metadata: 'true',
      });
  }
}

function checkKey(key: string): string {
  if (key === '' || key.startsWith('/') || key.endsWith('/') || key.split('/').some((part) => part === '..' || part === '.')) {
    throw new ObjectStoreError(`invalid object key ${JSON.stringify(key)}`, false);
  }
  return key;
}

/** opendal errors carry their kind only as the first word of the message (environment.md §2). */
function kindOf(error: unknown): string {
  return error instanceof Error ? error.message.split(' ')[0] : '';
}

function mapError(backend: string, operation: string, key: string, error: unknown): Error {
  if (error instanceof ObjectStoreError) return error;
  const kind = kindOf(error);
  if (kind === 'NotFound') return new ObjectNotFoundError(key, { cause: error });
  if (kind === 'Unsupported') return new ObjectStoreUnsupportedError(`${backend}: ${operation} is not supported`, { cause: error });
  const message = error instanceof Error ? error.message : String(error);
  return new ObjectStoreError(`${backend}: ${operation} ${key} failed: ${message}`, /\(temporary\)/.test(message), { cause: error });
}

/**
 * Where objects live, as a typed config, and the `--object-store URL` syntax that produces it:
 *
 *   fs:///abs/path                                   files under /abs/path
 *   memory://                                        this process only (tests, benchmarks)
 *   s3://bucket[/prefix]?endpoint=…&region=…         AWS S3 or any S3-compatible server
 *   azblob://container[/prefix]?endpoint=…           Azure Blob Storage (or Azurite)
 *   gcs://bucket[/prefix]?endpoint=…                 Google Cloud Storage
 *
 * Credentials come from the URL query (access_key_id, secret_access_key, account_name,
 * account_key, credential_path) or else from the usual environment variables; see
 * resolveCredentials. docs/object-storage.md lists every parameter.
 */
import { isAbsolute } from 'node:path';
import { ObjectStoreConfigError } from './object-store';

export type ObjectStoreConfig =
  | { backend: 'fs'; root: string }
  | { backend: 'memory' }
  | {
    backend: 's3'; bucket: string; prefix: string; region: string; endpoint?: string;
    accessKeyId?: string; secretAccessKey?: string; sessionToken?: string;
    /** The server enforces If-None-Match on PUT (AWS S3 does since 2024; s3rver does not). */
    conditionalCreate?: boolean;
  }
  | {
    backend: 'azblob'; container: string; prefix: string; endpoint?: string;
    accountName?: string; accountKey?: string; sasToken?: string;
  }
  | { backend: 'gcs'; bucket: string; prefix: string; endpoint?: string; credentialPath?: string };

export type ObjectStoreBackend = ObjectStoreConfig['backend'];
export const OBJECT_STORE_BACKENDS: readonly ObjectStoreBackend[] = ['fs', 'memory', 's3', 'azblob', 'gcs'];

const QUERY_KEYS: Record<Exclude<ObjectStoreBackend, 'fs' | 'memory'>, readonly string[]> = {
  s3: ['endpoint', 'region', 'access_key_id', 'secret_access_key', 'session_token', 'conditional_create'],
  azblob: ['endpoint', 'account_name', 'account_key', 'sas_token'],
  gcs: ['endpoint', 'credential_path'],
};

/** Parses an `--object-store` URL; throws ObjectStoreConfigError naming what is wrong. */
export function parseObjectStoreUrl(text: string): ObjectStoreConfig {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ObjectStoreConfigError(`object store URL ${JSON.stringify(text)} is not a URL; expected e.g. fs:///var/lib/tributary/objects, memory://, s3://bucket?region=us-east-1`);
  }
  const backend = url.protocol.replace(/:$/, '');
  if (backend === 'memory') return { backend: 'memory' };
  if (backend === 'fs') return { backend: 'fs', root: fsRoot(url, text) };
  if (backend !== 's3' && backend !== 'azblob' && backend !== 'gcs') {
    throw new ObjectStoreConfigError(`object store URL ${text}: unknown backend ${backend}; known: ${OBJECT_STORE_BACKENDS.join(', ')}`);
  }
  const query = queryOf(url, backend);
  const name = decodeURIComponent(url.hostname);
  if (name === '') throw new ObjectStoreConfigError(`object store URL ${text}: the ${backend === 'azblob' ? 'container' : 'bucket'} name is missing`);
  const prefix = decodeURIComponent(url.pathname).replace(/^\/+|\/+$/g, '');
  if (backend === 's3') {
    return {
      backend, bucket: name, prefix, region: query.region ?? '', endpoint: query.endpoint,
      accessKeyId: query.access_key_id, secretAccessKey: query.secret_access_key, sessionToken: query.session_token,
      conditionalCreate: query.conditional_create === 'true',
    };
  }
  if (backend === 'azblob') {
    return {
      backend, container: name, prefix, endpoint: query.endpoint,
      accountName: query.account_name, accountKey: query.account_key, sasToken: query.sas_token,
    };
  }
  return { backend, bucket: name, prefix, endpoint: query.endpoint, credentialPath: query.credential_path };
}

function fsRoot(url: URL, text: string): string {
  if (url.hostname !== '') throw new ObjectStoreConfigError(`object store URL ${text}: fs URLs have no host; write fs:///absolute/path`);
  const root = decodeURIComponent(url.pathname);
  if (!isAbsolute(root) || root === '/') throw new ObjectStoreConfigError(`object store URL ${text}: fs needs an absolute directory, e.g. fs:///var/lib/tributary/objects`);
  return root.replace(/\/+$/, '');
}

function queryOf(url: URL, backend: keyof typeof QUERY_KEYS): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [key, value] of url.searchParams) {
    if (!QUERY_KEYS[backend].includes(key)) {
      throw new ObjectStoreConfigError(`object store URL: unknown ${backend} parameter ${key}; known: ${QUERY_KEYS[backend].join(', ')}`);
    }
    out[key] = value;
  }
  return out;
}

/**
 * Fills credentials the config leaves out from the environment, the way each cloud's own
 * tools do. We read the variables ourselves because opendal's own config loading is disabled
 * (environment.md §4: it may probe the EC2 metadata endpoint).
 */
export function resolveCredentials(config: ObjectStoreConfig, env: NodeJS.ProcessEnv = process.env): ObjectStoreConfig {
  switch (config.backend) {
    case 's3':
      return {
        ...config,
        region: config.region || env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1',
        endpoint: config.endpoint ?? env.AWS_ENDPOINT_URL,
        accessKeyId: config.accessKeyId ?? env.AWS_ACCESS_KEY_ID,
        secretAccessKey: config.secretAccessKey ?? env.AWS_SECRET_ACCESS_KEY,
        sessionToken: config.sessionToken ?? env.AWS_SESSION_TOKEN,
      };
    case 'azblob':
      return {
        ...config,
        accountName: config.accountName ?? env.AZURE_STORAGE_ACCOUNT_NAME ?? env.AZURE_STORAGE_ACCOUNT,
        accountKey: config.accountKey ?? env.AZURE_STORAGE_ACCOUNT_KEY ?? env.AZURE_STORAGE_KEY,
        sasToken: config.sasToken ?? env.AZURE_STORAGE_SAS_TOKEN,
      };
    case 'gcs':
      return { ...config, credentialPath: config.credentialPath ?? env.GOOGLE_APPLICATION_CREDENTIALS };
    default:
      return config;
  }
}

/** A loggable description: never prints a secret. */
export function describeObjectStore(config: ObjectStoreConfig): string {
  switch (config.backend) {
    case 'fs': return `fs://${config.root}`;
    case 'memory': return 'memory://';
    case 's3': return `s3://${config.bucket}/${config.prefix}${config.endpoint ? ` at ${config.endpoint}` : ''} (${config.region || 'default region'})`;
    case 'azblob': return `azblob://${config.container}/${config.prefix}${config.endpoint ? ` at ${config.endpoint}` : ''}`;
    case 'gcs': return `gcs://${config.bucket}/${config.prefix}${config.endpoint ? ` at ${config.endpoint}` : ''}`;
  }
}

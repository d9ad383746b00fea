import { join } from 'node:path';
import { EmbeddedMetadataStore } from './embedded/embedded-store';
import { CoordinationError } from './errors';
import type { EtcdMetadataStore as EtcdStore } from './etcd/etcd-store';
import type { MetadataStore } from './metadata-store';

export interface MetadataStoreSettings {
  /** config metadata.store */
  store: 'embedded' | 'etcd';
  /** config data.dir: the embedded store lives in <dataDir>/metadata. */
  dataDir: string;
  /** config metadata.etcdEndpoints, e.g. ['http://127.0.0.1:2379'] (scheme required). */
  etcdEndpoints: string[];
}

export const EMBEDDED_METADATA_SUBDIR = 'metadata';

/**
 * Opens the configured store. etcd is probed once so a broker pointed at a dead or wrong
 * endpoint fails at startup with a message naming the endpoints, not on its first write.
 */
export async function openMetadataStore(settings: MetadataStoreSettings): Promise<MetadataStore> {
  if (settings.store === 'embedded') return EmbeddedMetadataStore.open(join(settings.dataDir, EMBEDDED_METADATA_SUBDIR));
  for (const endpoint of settings.etcdEndpoints) {
    if (!/^https?:\/\/[^/]+$/.test(endpoint)) {
      throw new CoordinationError('INVALID_REQUEST', `etcd endpoint ${endpoint} must look like http://host:port`);
    }
  }
  // Loaded only here: etcd3 and its gRPC stack are ~6 MB of heap that an embedded broker would
  // otherwise carry, and every mark-compact walks them (a 1 KiB produce at 250 MB/s starts one
  // every ~0.25 s from the growth of request buffers, V8's external-memory limit).
  const { EtcdMetadataStore } = require('./etcd/etcd-store') as { EtcdMetadataStore: typeof EtcdStore };
  const store = EtcdMetadataStore.connect(settings.etcdEndpoints);
  try {
    await store.get('/');
  } catch (error) {
    await store.close();
    throw new CoordinationError('STORE_UNAVAILABLE',
      `cannot reach etcd at ${settings.etcdEndpoints.join(', ')}: ${(error as Error).message}`, { cause: error });
  }
  return store;
}

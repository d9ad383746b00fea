import { join } from 'node:path';
import { EmbeddedMetadataStore } from './embedded/embedded-store';
import { CoordinationError } from './errors';
import { EtcdMetadataStore } from './etcd/etcd-store';
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

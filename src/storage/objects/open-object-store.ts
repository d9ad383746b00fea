/**
 * Opens the configured object store and proves it works before the broker starts serving:
 * a bad bucket, wrong key or unreachable endpoint becomes one clear startup error instead of
 * uploads failing later. The probe writes, reads back and deletes one small object.
 */
import { randomUUID } from 'node:crypto';
import { componentLogger } from '../../log';
import { ObjectStore, ObjectStoreError } from './object-store';
import { describeObjectStore, ObjectStoreConfig, parseObjectStoreUrl } from './object-store-config';
import { OpendalObjectStore } from './opendal-store';

const log = componentLogger('object-store');
const PROBE_PREFIX = 'probe/';

export class ObjectStoreStartupError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ObjectStoreStartupError';
  }
}

export async function openObjectStore(config: ObjectStoreConfig | string): Promise<ObjectStore> {
  const resolved = typeof config === 'string' ? parseObjectStoreUrl(config) : config;
  const where = describeObjectStore(resolved);
  let store: ObjectStore;
  try {
    store = new OpendalObjectStore(resolved);
  } catch (error) {
    throw new ObjectStoreStartupError(`object store ${where} cannot be configured: ${(error as Error).message}`, { cause: error });
  }
  const key = `${PROBE_PREFIX}${randomUUID()}`;
  const body = Buffer.from(`tributary probe ${new Date().toISOString()}`);
  try {
    await store.put(key, body);
    const back = await store.get(key);
    if (!back.equals(body)) throw new ObjectStoreError('the probe object read back differs from what was written', false);
    await store.delete(key);
  } catch (error) {
    throw new ObjectStoreStartupError(`object store ${where} is not usable: ${(error as Error).message}`, { cause: error });
  }
  log.info({ objectStore: where }, 'object store ready');
  return store;
}

/**
 * Keeps a tier index in step with the MetadataStore: what other brokers upload, cut and delete
 * (a partition moving here must continue where its last owner's uploads end). The watches
 * open before the initial load so nothing recorded in between is missed; applying an event
 * the load already saw changes nothing.
 */
import type { ClusterKeys } from '../../coordination/keys';
import type { MetadataStore, Watch } from '../../coordination/metadata-store';
import { componentLogger } from '../../log';
import { decodeDescriptor, loadDescriptors } from './descriptor';
import { TierIndex } from './tier-index';
import { cutFromKv, cutsPrefix, loadCuts } from './tier-state';

const log = componentLogger('tier-sync');

export async function syncTierIndex(metadata: MetadataStore, keys: ClusterKeys, index: TierIndex): Promise<Watch[]> {
  const objects = await metadata.watch(keys.objectsPrefix, (event) => {
    try {
      if (event.type === 'put') index.add(decodeDescriptor(event.kv.value, event.kv.key), event.kv.createRevision);
      else index.remove(event.key.slice(keys.objectsPrefix.length), true);
    } catch (err) {
      log.error({ err }, 'unreadable object descriptor event ignored');
    }
  });
  const cuts = await metadata.watch(cutsPrefix(keys), (event) => {
    if (event.type !== 'put') return;
    const cut = cutFromKv(keys, event.kv);
    index.addCut(cut.topic, cut.partition, cut.offset, cut.revision);
  });
  await loadTierIndex(metadata, keys, index);
  return [objects, cuts];
}

/** Adds every recorded descriptor and cut to the index (adding a known one changes nothing). */
export async function loadTierIndex(metadata: MetadataStore, keys: ClusterKeys, index: TierIndex): Promise<void> {
  const [descriptors, cuts] = await Promise.all([loadDescriptors(metadata, keys), loadCuts(metadata, keys)]);
  for (const { descriptor, revision } of descriptors) index.add(descriptor, revision);
  for (const cut of cuts) index.addCut(cut.topic, cut.partition, cut.offset, cut.revision);
}

/** A tier on a real embedded MetadataStore and a real (opendal memory or fs) object store. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedMetadataStore } from '../../../src/coordination/embedded/embedded-store';
import { clusterKeys, ClusterKeys } from '../../../src/coordination/keys';
import { ByteRange, ObjectStore } from '../../../src/storage/objects/object-store';
import { OpendalObjectStore } from '../../../src/storage/objects/opendal-store';
import { loadDescriptors } from '../../../src/storage/tier/descriptor';
import { TierIndex } from '../../../src/storage/tier/tier-index';
import { UploadSource, Uploader } from '../../../src/storage/tier/uploader';
import { fakeFormat, FakeLocalLog } from './fake-local-log';

/** Counts calls and can be told to fail puts: observes a real store, never replaces it. */
export class CountingStore implements ObjectStore {
  puts = 0;
  gets = 0;
  failPuts = false;
  constructor(readonly inner: ObjectStore) {}
  get backend() { return this.inner.backend; }
  get conditionalCreate() { return this.inner.conditionalCreate; }
  async put(key: string, body: Buffer) {
    if (this.failPuts) throw new Error('injected put failure');
    this.puts += 1;
    return this.inner.put(key, body);
  }
  putIfAbsent(key: string, body: Buffer) { return this.inner.putIfAbsent(key, body); }
  get(key: string, range?: ByteRange) { this.gets += 1; return this.inner.get(key, range); }
  stat(key: string) { return this.inner.stat(key); }
  list(prefix: string) { return this.inner.list(prefix); }
  delete(key: string) { return this.inner.delete(key); }
}

export interface TierHarness {
  dir: string;
  metadata: EmbeddedMetadataStore;
  keys: ClusterKeys;
  objects: CountingStore;
  index: TierIndex;
  uploader: Uploader;
  reopen(): Promise<void>;
  close(): Promise<void>;
}

export async function openHarness(objects?: ObjectStore): Promise<TierHarness> {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-tier-'));
  const keys = clusterKeys('/t');
  const h = {
    dir, keys,
    metadata: await EmbeddedMetadataStore.open(join(dir, 'meta')),
    objects: new CountingStore(objects ?? new OpendalObjectStore({ backend: 'fs', root: join(dir, 'objects') })),
    index: new TierIndex(),
  } as TierHarness;
  const build = async () => {
    h.index = new TierIndex();
    for (const { descriptor, revision } of await loadDescriptors(h.metadata, keys)) h.index.add(descriptor, revision);
    h.uploader = new Uploader({ objects: h.objects, metadata: h.metadata, keys, brokerId: 1, index: h.index, format: fakeFormat, blockBytes: 2000 });
  };
  await build();
  h.reopen = async () => {
    await h.metadata.close();
    h.metadata = await EmbeddedMetadataStore.open(join(dir, 'meta'));
    await build();
  };
  h.close = async () => {
    await h.metadata.close();
    rmSync(dir, { recursive: true, force: true });
  };
  return h;
}

export function source(topic: string, partition: number, local: FakeLocalLog, uploaded: bigint[] = [], epoch = 1): UploadSource {
  return { topic, partition, local, leaderEpoch: () => epoch, onUploaded: (offset) => uploaded.push(offset) };
}

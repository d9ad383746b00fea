import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDomainError } from '../../../src/broker/errors';
import { TopicRegistry } from '../../../src/broker/topics/topic-registry';
import { EmbeddedMetadataStore } from '../../../src/coordination/embedded/embedded-store';
import { clusterKeys } from '../../../src/coordination/keys';
import type { MetadataStore } from '../../../src/coordination/metadata-store';

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

describe('Topic registry', () => {
  const keys = clusterKeys('/test');
  let dir: string;
  let store: EmbeddedMetadataStore;
  let topics: TopicRegistry;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tributary-topics-'));
    store = await EmbeddedMetadataStore.open(dir);
    topics = await TopicRegistry.open(store, keys);
  });

  afterEach(async () => {
    await topics.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates a topic with a stable UUID that survives a restart', async () => {
    const created = await topics.create({ name: 'orders', partitions: 3, configs: { 'retention.ms': '1000' } });
    expect(created.topicId).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    await topics.close();
    await store.close();
    store = await EmbeddedMetadataStore.open(dir);
    topics = await TopicRegistry.open(store, keys);
    expect(topics.get('orders')).to.deep.equal(created);
    expect(topics.getById(created.topicId)?.name).to.equal('orders');
  });

  it('refuses to create a topic twice', async () => {
    await topics.create({ name: 'orders', partitions: 1 });
    expect(isDomainError(await rejection(topics.create({ name: 'orders', partitions: 1 })), 'topic-exists')).to.equal(true);
  });

  it('validates names as Kafka does', async () => {
    for (const name of ['', '.', '..', 'a b', 'x'.repeat(250), 'caf\u00e9']) {
      expect(isDomainError(await rejection(topics.create({ name, partitions: 1 })), 'invalid-topic'), name).to.equal(true);
    }
    expect((await topics.create({ name: 'x'.repeat(249), partitions: 1 })).name).to.have.length(249);
  });

  it('rejects unknown configs and bad config values', async () => {
    expect(isDomainError(await rejection(topics.create({ name: 'a', partitions: 1, configs: { 'no.such': '1' } })), 'invalid-config')).to.equal(true);
    expect(isDomainError(await rejection(topics.create({ name: 'a', partitions: 1, configs: { 'flush.policy': 'often' } })), 'invalid-config')).to.equal(true);
    expect(isDomainError(await rejection(topics.create({ name: 'a', partitions: 0 })), 'invalid-partitions')).to.equal(true);
  });

  it('validates without creating when asked to', async () => {
    await topics.create({ name: 'dry', partitions: 2 }, true);
    expect(topics.get('dry')).to.equal(undefined);
  });

  it('grows a topic but never shrinks it', async () => {
    await topics.create({ name: 'grow', partitions: 2 });
    expect((await topics.addPartitions('grow', 5)).partitions).to.equal(5);
    expect(isDomainError(await rejection(topics.addPartitions('grow', 3)), 'invalid-partitions')).to.equal(true);
  });

  it('deletes a topic and tells listeners', async () => {
    const created = await topics.create({ name: 'gone', partitions: 1 });
    const deleted: string[] = [];
    topics.on('deleted', (t) => deleted.push(t.topicId));
    await topics.delete('gone');
    expect(topics.get('gone')).to.equal(undefined);
    expect(deleted).to.deep.equal([created.topicId]);
    expect(isDomainError(await rejection(topics.delete('gone')), 'unknown-topic')).to.equal(true);
  });

  it('grows from the stored count, not from a stale memory, when another broker grew the topic first', async () => {
    await topics.create({ name: 'raced', partitions: 2 });
    const stale = await TopicRegistry.open(store, keys);
    await stale.close(); // its watch is gone: it never sees the growth below
    await topics.addPartitions('raced', 5);
    expect(stale.get('raced')?.partitions).to.equal(2);
    expect(isDomainError(await rejection(stale.addPartitions('raced', 4)), 'invalid-partitions')).to.equal(true);
    expect((await stale.addPartitions('raced', 6)).partitions).to.equal(6);
    expect(JSON.parse((await store.get(keys.topic('raced')))!.value).partitions).to.equal(6);
  });

  it('counts a write the store applied and then reported as failed (a retried call) as its own, for a create and a growth', async () => {
    // An etcd call retried after a timeout may find its first attempt applied: the compare then fails.
    const retrying: MetadataStore = Object.create(store, {
      txn: { value: async (...args: Parameters<MetadataStore['txn']>) => ({ ...(await store.txn(...args)), succeeded: false }) },
    });
    const registry = await TopicRegistry.open(retrying, keys);
    try {
      const created = await registry.create({ name: 'retried', partitions: 1 });
      expect(JSON.parse((await store.get(keys.topic('retried')))!.value).topicId).to.equal(created.topicId);
      expect((await registry.addPartitions('retried', 3)).partitions).to.equal(3);
      expect(isDomainError(await rejection(registry.create({ name: 'retried', partitions: 1 })), 'topic-exists')).to.equal(true);
    } finally {
      await registry.close();
    }
  });

  it('lets only one of two registries racing to delete a topic delete it; the other finds it gone', async () => {
    await topics.create({ name: 'contested', partitions: 1 });
    const other = await TopicRegistry.open(store, keys);
    try {
      const outcomes = await Promise.all([topics.delete('contested'), other.delete('contested')].map((p) =>
        p.then(() => 'deleted', (err: unknown) => (isDomainError(err, 'unknown-topic') ? 'gone' : String(err)))));
      expect(outcomes.sort()).to.deep.equal(['deleted', 'gone']);
    } finally {
      await other.close();
    }
  });

  it('deletes the topic as stored, even one its memory has not seen, and by id only that topic', async () => {
    const stale = await TopicRegistry.open(store, keys);
    await stale.close();
    const created = await topics.create({ name: 'unseen', partitions: 1 });
    expect(isDomainError(await rejection(stale.delete('unseen', '00000000-0000-0000-0000-000000000001')), 'unknown-topic-id')).to.equal(true);
    expect((await stale.delete('unseen', created.topicId)).topicId).to.equal(created.topicId);
    expect(await store.get(keys.topic('unseen'))).to.equal(null);
  });

  it('never lets late watch events (etcd delivers them after the write) undo a newer change of its own', async () => {
    const lagging: MetadataStore = Object.create(store, {
      watch: { value: (prefix: string, onEvent: Parameters<MetadataStore['watch']>[1]) => store.watch(prefix, (e) => setTimeout(() => onEvent(e), 30)) },
    });
    const registry = await TopicRegistry.open(lagging, keys);
    const events: string[] = [];
    registry.on('created', (t) => events.push(`created ${t.topicId}`));
    registry.on('deleted', (t) => events.push(`deleted ${t.topicId}`));
    try {
      const first = await registry.create({ name: 'again', partitions: 1 });
      await registry.delete('again');
      const second = await registry.create({ name: 'again', partitions: 2 });
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(registry.get('again')).to.deep.equal(second);
      expect(events).to.deep.equal([`created ${first.topicId}`, `deleted ${first.topicId}`, `created ${second.topicId}`]);
    } finally {
      await registry.close();
    }
  });

  it('sees topics created through another registry on the same store', async () => {
    const other = await TopicRegistry.open(store, keys);
    await other.create({ name: 'elsewhere', partitions: 4 });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(topics.get('elsewhere')?.partitions).to.equal(4);
    await other.close();
  });
});

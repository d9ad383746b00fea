import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeAssignment } from '../../src/coordination/assignment';
import { EmbeddedMetadataStore } from '../../src/coordination/embedded/embedded-store';
import { isCoordinationError } from '../../src/coordination/errors';
import { createFencing, FencedError } from '../../src/coordination/fencing';
import { clusterKeys } from '../../src/coordination/keys';

describe('fenced writes for several partitions at once (writeIfEpochs)', () => {
  let dir: string;
  let store: EmbeddedMetadataStore;
  const keys = clusterKeys('/fencing');
  const assign = (partition: number, brokerId: number, leaderEpoch: number) =>
    store.txn([], [{ type: 'put', key: keys.assignment('t', partition), value: encodeAssignment(brokerId, leaderEpoch) }]);

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tributary-fencing-'));
    store = await EmbeddedMetadataStore.open(dir);
    await assign(0, 1, 4);
    await assign(1, 1, 7);
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const claims = [{ topic: 't', partition: 0, leaderEpoch: 4 }, { topic: 't', partition: 1, leaderEpoch: 7 }];
  const write = (value: string) => [{ type: 'put' as const, key: '/fencing/shared', value }];

  it('applies the write while the broker leads every claimed partition at its epoch', async () => {
    expect((await createFencing(store, keys, 1).writeIfEpochs(claims, write('v1'))).succeeded).to.equal(true);
    expect((await store.get('/fencing/shared'))?.value).to.equal('v1');
  });

  it('writes nothing and names exactly the claims that moved when one partition has a new leader', async () => {
    await assign(1, 2, 8);
    const error = await createFencing(store, keys, 1).writeIfEpochs(claims, write('stale')).then(() => null, (e: unknown) => e);
    expect(error).to.be.instanceOf(FencedError);
    expect(isCoordinationError(error, 'FENCED')).to.equal(true);
    expect((error as FencedError).fenced).to.deep.equal([claims[1]]);
    expect((error as Error).message).to.contain('t-1 at leader epoch 7 (now broker 2 at epoch 8)');
    expect(await store.get('/fencing/shared')).to.equal(null);
  });

  it('fences a claim on a deleted assignment and a claim at an earlier epoch of the same broker', async () => {
    await store.txn([], [{ type: 'delete', key: keys.assignment('t', 0) }]);
    await assign(1, 1, 9);
    const error = await createFencing(store, keys, 1).writeIfEpochs(claims, write('stale')).then(() => null, (e: unknown) => e) as FencedError;
    expect(error.fenced).to.deep.equal(claims);
    expect(error.message).to.contain('(now unassigned)');
  });

  it('still applies the write when an assignment holding the claim is stored with more fields', async () => {
    await store.txn([], [{ type: 'put', key: keys.assignment('t', 1), value: JSON.stringify({ brokerId: 1, leaderEpoch: 7, note: 'x' }) }]);
    expect((await createFencing(store, keys, 1).writeIfEpochs(claims, write('v1'))).succeeded).to.equal(true);
    expect((await store.get('/fencing/shared'))?.value).to.equal('v1');
  });

  it('resolves succeeded false, without fencing, when only the extra compares fail', async () => {
    await store.txn([], write('v1'));
    const result = await createFencing(store, keys, 1).writeIfEpochs(claims, write('v2'), [{ key: '/fencing/shared', modRevision: 0n }]);
    expect(result.succeeded).to.equal(false);
    expect((await store.get('/fencing/shared'))?.value).to.equal('v1');
  });
});

import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PartitionCursor } from '../../../../src/broker/native/subscriptions/cursor';
import { CursorConflictError, CursorStore } from '../../../../src/broker/native/subscriptions/cursor-store';
import { EmbeddedMetadataStore } from '../../../../src/coordination/embedded/embedded-store';

describe('Cursor persistence', () => {
  let dir: string;
  let store: EmbeddedMetadataStore;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tributary-cursors-'));
    store = await EmbeddedMetadataStore.open(dir);
  });
  afterEach(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  function storeFor(cursor: PartitionCursor, revision: bigint, onConflict: () => void = () => undefined) {
    return new CursorStore(store, 'subs/t/s', () => ({ type: 'shared', partitions: { 0: cursor.toState() } }), 10_000, revision, onConflict);
  }

  it('persists the mark-delete offset and acked ranges, and loads them back', async () => {
    const cursor = new PartitionCursor(0n);
    const cursors = storeFor(cursor, 0n);
    cursor.ack(0n);
    cursor.ack(5n);
    cursors.changed();
    await cursors.flush();
    const loaded = await CursorStore.load(store, 'subs/t/s');
    expect(loaded.cursors!.get(0)!.markDelete()).to.equal(1n);
    expect(loaded.cursors!.get(0)!.ackedRanges()).to.deep.equal([[5n, 6n]]);
    await cursors.close();
  });

  it('coalesces changes: one write covers every change made before the flush', async () => {
    const cursor = new PartitionCursor(0n);
    const cursors = storeFor(cursor, 0n);
    for (let i = 0n; i < 100n; i++) {
      cursor.ack(i);
      cursors.changed();
    }
    await Promise.all([cursors.flush(), cursors.flush()]);
    expect(JSON.parse((await store.get('subs/t/s'))!.value).partitions['0'].markDelete).to.equal('100');
    await cursors.close();
  });

  it('stops and reports a conflict when another broker wrote the cursor meanwhile', async () => {
    const mine = new PartitionCursor(0n);
    let conflicts = 0;
    const first = storeFor(mine, 0n, () => {
      conflicts++;
    });
    mine.ack(0n);
    first.changed();
    await first.flush();
    const theirs = await CursorStore.load(store, 'subs/t/s');
    const other = storeFor(theirs.cursors!.get(0)!, theirs.revision);
    theirs.cursors!.get(0)!.ack(1n);
    other.changed();
    await other.flush();
    mine.ack(1n);
    first.changed();
    const error = await first.flush().catch((e: unknown) => e);
    expect(error).to.be.instanceOf(CursorConflictError);
    expect(conflicts).to.equal(1);
    expect(JSON.parse((await store.get('subs/t/s'))!.value).partitions['0'].markDelete).to.equal('2');
    await other.close();
    await first.close();
  });
});

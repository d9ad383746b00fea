import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HandoffResponder, type Uploader } from '../../../src/broker/cluster/partition-handoff';
import { encodeAssignment } from '../../../src/coordination/assignment';
import { EmbeddedMetadataStore } from '../../../src/coordination/embedded/embedded-store';
import { cancelHandoff, handoffKey, listHandoffs, NO_OBJECT_STORE } from '../../../src/coordination/handoff';
import { type ClusterKeys, clusterKeys } from '../../../src/coordination/keys';
import { eventually, put, sleep, uniquePrefix } from '../../coordination/helpers';

const SELF = 1;

/** An object tier stand-in: each upload cycle records up to `perCycle` more offsets of the log. */
class FakeUploader implements Uploader {
  cycles = 0;
  uploaded = 0n;
  /** Upload cycles run before each quiesce (close of the partition log). */
  quiescedAfterCycles: number[] = [];
  constructor(private readonly end: bigint, private readonly perCycle: bigint, private readonly failing = false) {}
  async quiesce(): Promise<void> {
    this.quiescedAfterCycles.push(this.cycles);
  }
  async uploadAll(): Promise<void> {
    this.cycles++;
    if (this.failing) return;
    this.uploaded = this.uploaded + this.perCycle > this.end ? this.end : this.uploaded + this.perCycle;
  }
  async progress(): Promise<{ end: bigint; uploaded: bigint }> {
    return { end: this.end, uploaded: this.uploaded };
  }
}

describe('Handing a partition off (owner side)', function () {
  this.timeout(20_000);
  let dir: string;
  let store: EmbeddedMetadataStore;
  let keys: ClusterKeys;
  let responder: HandoffResponder | null;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tributary-handoff-'));
    store = await EmbeddedMetadataStore.open(dir);
  });
  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => { keys = clusterKeys(uniquePrefix('handoff')); });
  afterEach(async () => { await responder?.close(); responder = null; });

  async function request(from: number, leaderEpoch: number): Promise<void> {
    await put(store, handoffKey(keys, 't', 0), JSON.stringify({ state: 'requested', from, to: 2, leaderEpoch }));
  }
  const state = async () => (await listHandoffs(store, keys))[0]?.state ?? null;

  it('stops serving, uploads until object storage reaches the high watermark, then answers ready', async () => {
    await put(store, keys.assignment('t', 0), encodeAssignment(SELF, 3));
    const uploader = new FakeUploader(100n, 40n);
    responder = await HandoffResponder.start(store, keys, SELF, uploader);
    expect(responder.serves('t', 0, 3)).to.equal(true);
    await request(SELF, 3);
    await eventually(() => !responder!.serves('t', 0, 3), 2000, 'the partition to stop being served');
    await eventually(async () => (await state()) === 'ready', 10_000, 'a ready answer');
    expect(uploader.uploaded).to.equal(100n);
    expect(uploader.cycles).to.equal(3);
    expect(uploader.quiescedAfterCycles, 'the log closed before the first upload').to.deep.equal([0]);
    expect(responder.serves('t', 0, 3)).to.equal(false);
    // A later ownership at a new epoch (the partition came back) is served.
    expect(responder.serves('t', 0, 4)).to.equal(true);
  });

  it('refuses without an object store and serves the partition again', async () => {
    await put(store, keys.assignment('t', 0), encodeAssignment(SELF, 0));
    responder = await HandoffResponder.start(store, keys, SELF, null);
    await request(SELF, 0);
    await eventually(async () => (await state()) === 'refused', 5000, 'a refused answer');
    expect((await listHandoffs(store, keys))[0].reason).to.equal(`${NO_OBJECT_STORE} on broker ${SELF}: nothing to upload the partition to`);
    await eventually(() => responder!.serves('t', 0, 0), 5000, 'serving again');
  });

  it('serves again when the controller cancels the request while the assignment is unchanged', async () => {
    await put(store, keys.assignment('t', 0), encodeAssignment(SELF, 0));
    responder = await HandoffResponder.start(store, keys, SELF, new FakeUploader(10n, 0n, true));
    await request(SELF, 0);
    await eventually(() => !responder!.serves('t', 0, 0), 2000, 'the partition to stop being served');
    await cancelHandoff(store, keys, (await listHandoffs(store, keys))[0]);
    await eventually(() => responder!.serves('t', 0, 0), 5000, 'serving again');
  });

  it('never serves the handed-off epoch again once the partition was reassigned', async () => {
    await put(store, keys.assignment('t', 0), encodeAssignment(SELF, 5));
    responder = await HandoffResponder.start(store, keys, SELF, new FakeUploader(10n, 10n));
    await request(SELF, 5);
    await eventually(async () => (await state()) === 'ready', 5000, 'a ready answer');
    await store.txn([], [{ type: 'put', key: keys.assignment('t', 0), value: encodeAssignment(2, 6) },
      { type: 'delete', key: handoffKey(keys, 't', 0) }]);
    await sleep(200);
    expect(responder.serves('t', 0, 5)).to.equal(false);
  });

  it('ignores requests addressed to other brokers and picks up one written before it started', async () => {
    await put(store, keys.assignment('t', 0), encodeAssignment(SELF, 0));
    await request(SELF, 0);
    await put(store, handoffKey(keys, 'u', 0), JSON.stringify({ state: 'requested', from: 7, to: 2, leaderEpoch: 0 }));
    responder = await HandoffResponder.start(store, keys, SELF, new FakeUploader(10n, 10n));
    await eventually(async () => (await state()) === 'ready', 5000, 'the earlier request answered');
    expect(responder.serves('u', 0, 0)).to.equal(true);
    expect((await store.get(handoffKey(keys, 'u', 0)))?.value).to.contain('"requested"');
  });
});

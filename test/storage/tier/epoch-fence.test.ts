import { expect } from 'chai';
import { clusterTierFence } from '../../../src/broker/cluster/tier-fence';
import { encodeAssignment } from '../../../src/coordination/assignment';
import { isStorageError } from '../../../src/storage/errors';
import { CloudRetention } from '../../../src/storage/tier/cloud-retention';
import { loadDescriptors } from '../../../src/storage/tier/descriptor';
import { EpochFencedError } from '../../../src/storage/tier/epoch-fence';
import { ObjectTier } from '../../../src/storage/tier/object-tier';
import { TierIndex } from '../../../src/storage/tier/tier-index';
import { cutsPrefix } from '../../../src/storage/tier/tier-state';
import { Uploader, UploadSource } from '../../../src/storage/tier/uploader';
import { eventually } from '../../coordination/helpers';
import { fakeBatch, fakeFormat, FakeLocalLog } from './fake-local-log';
import { openHarness, TierHarness } from './tier-harness';

/** The local log the tiered log wraps; the upload mark is not what these tests look at. */
class MarkedLocalLog extends FakeLocalLog {
  markUploaded(): void {}
}

async function fill(log: FakeLocalLog, count: number): Promise<void> {
  for (let i = 0; i < count; i++) await log.append(fakeBatch(2, 1000n + BigInt(i)));
}

/** What the store says about one partition: its recorded ranges, by object. */
async function recordedRanges(h: TierHarness, topic: string, partition: number): Promise<string[]> {
  return (await loadDescriptors(h.metadata, h.keys)).flatMap(({ descriptor }) => descriptor.ranges
    .filter((r) => r.topic === topic && r.partition === partition)
    .map((r) => `${descriptor.brokerId}:${descriptor.key}:${r.baseOffset}-${r.endOffset}@${r.leaderEpoch}`)).sort();
}

async function caught(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(() => null, (error: unknown) => error);
}

describe('tier writes fenced by the leader epoch', () => {
  let h: TierHarness;
  const assign = (topic: string, partition: number, brokerId: number, leaderEpoch: number) =>
    h.metadata.txn([], [{ type: 'put', key: h.keys.assignment(topic, partition), value: encodeAssignment(brokerId, leaderEpoch) }]);
  const fenceOf = (brokerId: number) => clusterTierFence(h.metadata, h.keys, brokerId, (topic) => topic);
  /** Broker 1's tier, fenced; background uploads and retention never run by themselves. */
  const openTier = (cloudCommitIntervalMs: number) => ObjectTier.open({
    objects: h.objects, metadata: h.metadata, keys: h.keys, brokerId: 1, format: fakeFormat, fence: fenceOf(1),
    uploadIntervalMs: 3_600_000, cloudCommitIntervalMs, retentionIntervalMs: 3_600_000,
    policyOf: async () => ({ retentionMs: -1, retentionBytes: -1 }),
  });
  const uploaderOf = (brokerId: number, index: TierIndex) =>
    new Uploader({ objects: h.objects, metadata: h.metadata, keys: h.keys, brokerId, index, format: fakeFormat, fence: fenceOf(brokerId) });

  beforeEach(async () => {
    h = await openHarness();
    await assign('t', 0, 1, 1);
    await assign('t', 1, 1, 1);
  });
  afterEach(async () => h.close());

  it("records nothing of a partition that moved: the old owner's commit leaves it out, the new owner's ranges stay, and the partition is told to stop", async () => {
    const index = new TierIndex();
    const old = uploaderOf(1, index);
    const logs = [new FakeLocalLog(), new FakeLocalLog()];
    await fill(logs[0], 5);
    await fill(logs[1], 5);
    const fenced: Array<[number, EpochFencedError]> = [];
    const sources = logs.map((local, partition): UploadSource => ({
      topic: 't', partition, local, leaderEpoch: () => 1, onUploaded: () => undefined, onFenced: (e) => fenced.push([partition, e]),
    }));
    await old.cycle(sources);

    // The controller moves t-1 to broker 2 at epoch 2; broker 2 continues where the objects end.
    await assign('t', 1, 2, 2);
    const successorIndex = new TierIndex();
    for (const { descriptor, revision } of await loadDescriptors(h.metadata, h.keys)) successorIndex.add(descriptor, revision);
    const successorLog = new FakeLocalLog(10n);
    await fill(successorLog, 3);
    await uploaderOf(2, successorIndex).cycle([{ topic: 't', partition: 1, local: successorLog, leaderEpoch: () => 2, onUploaded: () => undefined }]);
    const beforeResume = await recordedRanges(h, 't', 1);

    // The old owner resumes with new data on both partitions.
    await fill(logs[0], 2);
    await fill(logs[1], 4);
    const putsBefore = h.objects.puts;
    const descriptor = await old.cycle(sources);
    expect(h.objects.puts).to.equal(putsBefore + 1);
    expect(descriptor!.ranges.map((r) => [r.partition, r.baseOffset, r.endOffset])).to.deep.equal([[0, 10n, 14n]]);
    expect(await recordedRanges(h, 't', 1)).to.deep.equal(beforeResume);
    expect(fenced.map(([p, e]) => [p, e.fenced])).to.deep.equal([[1, [{ topic: 't', partition: 1, leaderEpoch: 1 }]]]);
    expect(fenced[0][1].message).to.contain('now broker 2 at epoch 2');

    // Every partition fenced: the object is written but nothing is recorded.
    await assign('t', 0, 2, 2);
    await fill(logs[0], 1);
    const descriptorsBefore = (await h.metadata.list(h.keys.objectsPrefix)).map((kv) => kv.key);
    expect(await old.cycle(sources.slice(0, 1))).to.equal(null);
    expect((await h.metadata.list(h.keys.objectsPrefix)).map((kv) => kv.key)).to.deep.equal(descriptorsBefore);
    expect(fenced.map(([p]) => p)).to.deep.equal([1, 0]);
  });

  describe('a tiered partition log of an owner fenced out', () => {
    let tier: ObjectTier;
    beforeEach(async () => {
      tier = await openTier(5);
    });
    afterEach(async () => tier.close());

    it('durability cloud: never acknowledges the append its commit was fenced on, stops uploading and refuses appends and reads', async () => {
      const local = new MarkedLocalLog();
      const log = tier.wrap('t', 0, local, { durability: 'cloud', leaderEpoch: () => 1 });
      expect((await log.append(fakeBatch(2, 1n))).nextOffset).to.equal(2n);
      const recorded = await recordedRanges(h, 't', 0);
      expect(recorded).to.have.length(1);

      await assign('t', 0, 2, 2);
      const refused = await caught(log.append(fakeBatch(2, 2n)));
      expect(isStorageError(refused, 'LOG_CLOSED'), String(refused)).to.equal(true);
      expect((refused as Error).message).to.contain('fenced');
      expect(await recordedRanges(h, 't', 0)).to.deep.equal(recorded);
      expect(log.fenced).to.equal(true);
      expect(tier.claimOf('t', 0)).to.equal(null);

      expect(isStorageError(await caught(log.append(fakeBatch(1, 3n))), 'LOG_CLOSED')).to.equal(true);
      expect(isStorageError(await caught(log.read(0n, 1000)), 'LOG_CLOSED')).to.equal(true);
      const puts = h.objects.puts;
      await tier.uploads.runOnce();
      await tier.commits.runOnce();
      expect(h.objects.puts).to.equal(puts);
      expect(await recordedRanges(h, 't', 0)).to.deep.equal(recorded);
      await log.close();
    });

    it('durability local: its truncation below the uploaded end records no cut and stops the partition; the partitions it still leads keep uploading', async () => {
      const local = new MarkedLocalLog();
      const log = tier.wrap('t', 0, local, { durability: 'local', leaderEpoch: () => 1 });
      await log.append(fakeBatch(2, 1n));
      await tier.uploads.runOnce();
      const recorded = await recordedRanges(h, 't', 0);
      expect(recorded).to.have.length(1);

      await assign('t', 0, 2, 2);
      const truncated = await caught(log.truncate(0n));
      expect(isStorageError(truncated, 'LOG_CLOSED'), String(truncated)).to.equal(true);
      expect(await h.metadata.list(cutsPrefix(h.keys))).to.deep.equal([]);
      expect(log.fenced).to.equal(true);

      const other = tier.wrap('t', 1, new MarkedLocalLog(), { durability: 'local', leaderEpoch: () => 1 });
      await other.append(fakeBatch(2, 1n));
      await tier.uploads.runOnce();
      expect(await recordedRanges(h, 't', 1)).to.have.length(1);
      expect(await recordedRanges(h, 't', 0)).to.deep.equal(recorded);
      await other.close();
      await log.close();
    });
  });

  it('closing a durability cloud log commits the appends waiting on it while it still leads, and fails them once it was moved away', async () => {
    const tier = await openTier(3_600_000);
    try {
      const handedOff = tier.wrap('t', 0, new MarkedLocalLog(), { durability: 'cloud', leaderEpoch: () => 1 });
      await handedOff.append(fakeBatch(1, 1n));
      const waiting = handedOff.append(fakeBatch(1, 2n));
      await new Promise((resolve) => setTimeout(resolve, 20));
      await handedOff.close();
      expect((await waiting).nextOffset).to.equal(2n);
      expect((await recordedRanges(h, 't', 0)).length).to.equal(2);

      const movedAway = tier.wrap('t', 1, new MarkedLocalLog(), { durability: 'cloud', leaderEpoch: () => 1 });
      // The loop committed at close: the next commit is an interval away, so this append waits.
      const orphan = caught(movedAway.append(fakeBatch(1, 1n)));
      await new Promise((resolve) => setTimeout(resolve, 20));
      await assign('t', 1, 2, 2);
      await movedAway.close();
      expect(isStorageError(await orphan, 'LOG_CLOSED'), String(await orphan)).to.equal(true);
      expect(await recordedRanges(h, 't', 1)).to.deep.equal([]);
    } finally {
      await tier.close();
    }
  });

  it("durability cloud: the new owner's ranges at the same offsets never acknowledge the old owner's waiting append", async () => {
    const tier = await openTier(3_600_000);
    try {
      const old = tier.wrap('t', 0, new MarkedLocalLog(), { durability: 'cloud', leaderEpoch: () => 1 });
      await old.append(fakeBatch(1, 1n));
      const waiting = caught(old.append(fakeBatch(1, 2n)));
      await assign('t', 0, 2, 2);
      const successorLog = new FakeLocalLog(1n);
      await fill(successorLog, 2);
      const successorIndex = new TierIndex();
      for (const { descriptor, revision } of await loadDescriptors(h.metadata, h.keys)) successorIndex.add(descriptor, revision);
      await uploaderOf(2, successorIndex).cycle([{ topic: 't', partition: 0, local: successorLog, leaderEpoch: () => 2, onUploaded: () => undefined }]);
      await eventually(() => tier.index.endOffset('t', 0) === 5n, 2000, 'the old owner sees the new owner\'s object');
      await tier.commits.runOnce();
      expect(isStorageError(await waiting, 'LOG_CLOSED'), String(await waiting)).to.equal(true);
      expect((await waiting as Error).message).to.contain('later leader epoch');
    } finally {
      await tier.close();
    }
  });

  it('cloud retention moves the log start only of partitions open here, fenced on their epoch', async () => {
    const index = new TierIndex();
    const uploader = uploaderOf(1, index);
    const logs = [new FakeLocalLog(), new FakeLocalLog()];
    for (let round = 0; round < 3; round++) {
      for (const log of logs) await fill(log, 2);
      await uploader.cycle(logs.map((local, partition) => ({ topic: 't', partition, local, leaderEpoch: () => 1, onUploaded: () => undefined })));
    }
    await assign('t', 1, 2, 2);
    const fenced: EpochFencedError[] = [];
    const retention = new CloudRetention({
      objects: h.objects, metadata: h.metadata, keys: h.keys, index, fence: fenceOf(1), onFenced: (e) => fenced.push(e),
      policyOf: async () => ({ retentionMs: -1, retentionBytes: 0 }),
      claimOf: (topic, partition) => (partition === 1 ? { topic, partition, leaderEpoch: 1 } : null),
    });
    await retention.runPass();
    expect(await h.metadata.get(h.keys.partitionState('t', 0)), 'not open here: left to its leader').to.equal(null);
    expect(await h.metadata.get(h.keys.partitionState('t', 1)), 'moved away: fenced').to.equal(null);
    expect(fenced.map((e) => e.fenced)).to.deep.equal([[{ topic: 't', partition: 1, leaderEpoch: 1 }]]);

    await assign('t', 1, 1, 3);
    const owned = new CloudRetention({
      objects: h.objects, metadata: h.metadata, keys: h.keys, index, fence: fenceOf(1),
      policyOf: async () => ({ retentionMs: -1, retentionBytes: 0 }),
      claimOf: (topic, partition) => (partition === 1 ? { topic, partition, leaderEpoch: 3 } : null),
    });
    await owned.runPass();
    expect(JSON.parse((await h.metadata.get(h.keys.partitionState('t', 1)))!.value)).to.deep.equal({ logStartOffset: '8' });
  });
});

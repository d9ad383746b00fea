import { expect } from 'chai';
import type { OffsetCommitInput } from '../../../src/broker/groups/group-api';
import { Harness, INITIAL_DELAY_MS, joinInput, joinSettled, openHarness } from './group-fixtures';

const simpleCommit = (offsets: OffsetCommitInput['offsets'], groupId = 'g'): OffsetCommitInput =>
  ({ groupId, generationId: -1, memberId: '', groupInstanceId: null, offsets });
const at = (topic: string, partition: number, offset: bigint, metadata: string | null = null) => ({ topic, partition, offset, leaderEpoch: -1, metadata });

describe('Group coordinator: committed offsets', () => {
  let h: Harness;
  beforeEach(async () => { h = await openHarness({ partitionExists: (topic) => topic !== 'missing' }); });
  afterEach(async () => h.close());

  it('returns offset -1, empty metadata and no error for partitions without a commit', async () => {
    expect(h.coordinator.fetchOffsets('g', [{ topic: 't', partition: 0 }])).to.deep.equal([
      { topic: 't', partition: 0, offset: -1n, leaderEpoch: -1, metadata: '', error: null },
    ]);
  });

  it('stores any int64 (negative sentinels included) with its metadata, and keeps them across a restart', async () => {
    const offsets = [at('t', 0, 42n, 'meta'), at('t', 1, -2n), at('t', 2, -1n, 'x'), at('u', 0, 9_223_372_036_854_775_807n)];
    const results = await h.coordinator.commitOffsets(simpleCommit(offsets));
    expect(results.every((r) => r.error === null)).to.equal(true);
    await h.reopen();
    const fetched = h.coordinator.fetchOffsets('g', offsets.map(({ topic, partition }) => ({ topic, partition })));
    expect(fetched.map((f) => [f.topic, f.partition, f.offset, f.metadata])).to.deep.equal([
      ['t', 0, 42n, 'meta'], ['t', 1, -2n, ''], ['t', 2, -1n, 'x'], ['u', 0, 9_223_372_036_854_775_807n, ''],
    ]);
    expect(h.coordinator.fetchOffsets('g', null)).to.have.length(4);
    expect(h.coordinator.list()).to.deep.equal([{ groupId: 'g', protocolType: '', state: 'Empty' }]);
  });

  it('keeps group ids with slashes and odd characters apart in the store', async () => {
    await h.coordinator.commitOffsets(simpleCommit([at('t', 0, 1n)], 'a'));
    await h.coordinator.commitOffsets(simpleCommit([at('t', 0, 2n)], 'a/offsets/t/0'));
    await h.coordinator.commitOffsets(simpleCommit([at('t', 0, 3n)], ''));
    await h.coordinator.deleteGroups(['a']);
    await h.reopen();
    expect(h.coordinator.fetchOffsets('a', [{ topic: 't', partition: 0 }])[0].offset).to.equal(-1n);
    expect(h.coordinator.fetchOffsets('a/offsets/t/0', [{ topic: 't', partition: 0 }])[0].offset).to.equal(2n);
    expect(h.coordinator.fetchOffsets('', [{ topic: 't', partition: 0 }])[0].offset).to.equal(3n);
  });

  it('answers UNKNOWN_TOPIC_OR_PARTITION and OFFSET_METADATA_TOO_LARGE per partition while siblings commit', async () => {
    const results = await h.coordinator.commitOffsets(simpleCommit([at('missing', 0, 1n), at('t', 0, 5n, 'x'.repeat(5000)), at('t', 1, 7n)]));
    expect(results.map((r) => r.error)).to.deep.equal(['unknown-topic-or-partition', 'offset-metadata-too-large', null]);
    expect(h.coordinator.fetchOffsets('g', [{ topic: 't', partition: 1 }])[0].offset).to.equal(7n);
  });

  it('accepts generation -1 commits only while the group is Empty', async () => {
    const a = await joinSettled(h);
    const refused = await h.coordinator.commitOffsets(simpleCommit([at('t', 0, 1n)]));
    expect(refused[0].error).to.equal('unknown-member-id');
    const stranger = await h.coordinator.commitOffsets({ ...simpleCommit([at('t', 0, 1n)]), generationId: 5, memberId: 'x' });
    expect(stranger[0].error).to.equal('unknown-member-id');
    expect(a.error).to.equal(null);
  });

  it('answers REBALANCE_IN_PROGRESS in CompletingRebalance and stores commits of the current generation when Stable', async () => {
    const a = await joinSettled(h);
    const commit = (generationId: number) => h.coordinator.commitOffsets({ groupId: 'g', generationId, memberId: a.memberId, groupInstanceId: null, offsets: [at('t', 0, 11n)] });
    expect((await commit(a.generationId))[0].error).to.equal('rebalance-in-progress');
    await h.coordinator.sync({ groupId: 'g', generationId: a.generationId, memberId: a.memberId, groupInstanceId: null, protocolType: null, protocolName: null, assignments: [] });
    expect((await commit(a.generationId + 1))[0].error).to.equal('illegal-generation');
    expect((await commit(a.generationId))[0].error).to.equal(null);
    expect(h.coordinator.fetchOffsets('g', [{ topic: 't', partition: 0 }])[0].offset).to.equal(11n);
  });

  it('refuses a commit with a generation to a group it does not know with ILLEGAL_GENERATION', async () => {
    const results = await h.coordinator.commitOffsets({ ...simpleCommit([at('t', 0, 1n)], 'fresh'), generationId: 3, memberId: 'm' });
    expect(results[0].error).to.equal('illegal-generation');
  });

  it('turns one commit request into one transaction, and many concurrent commits into far fewer fsyncs', async () => {
    const before = h.store.stats();
    await h.coordinator.commitOffsets(simpleCommit(Array.from({ length: 100 }, (_, p) => at('t', p, BigInt(p)))));
    expect(h.store.stats().commits - before.commits).to.equal(1);
    const mid = h.store.stats();
    await Promise.all(Array.from({ length: 500 }, (_, i) => h.coordinator.commitOffsets(simpleCommit([at('t', i % 8, BigInt(i))], `g${i % 50}`))));
    const after = h.store.stats();
    expect(after.commits - mid.commits).to.equal(500);
    expect(after.fsyncs - mid.fsyncs).to.be.below(100);
  });

  it('deletes offsets of topics the group no longer subscribes to and refuses subscribed ones (OffsetDelete)', async () => {
    const subscription = Buffer.from([0, 0, 0, 0, 0, 1, 0, 1, 0x74, 0xff, 0xff, 0xff, 0xff]);
    await h.coordinator.commitOffsets(simpleCommit([at('t', 0, 1n), at('old', 0, 2n)]));
    const joined = h.coordinator.join(joinInput({ protocols: [{ name: 'range', metadata: subscription }] }));
    await h.clock.advance(INITIAL_DELAY_MS);
    const a = await joined;
    await h.coordinator.sync({ groupId: 'g', generationId: a.generationId, memberId: a.memberId, groupInstanceId: null, protocolType: null, protocolName: null, assignments: [] });
    const result = await h.coordinator.deleteOffsets('g', [{ topic: 't', partition: 0 }, { topic: 'old', partition: 0 }]);
    expect(result.partitions.map((p) => p.error)).to.deep.equal(['group-subscribed-to-topic', null]);
    expect(h.coordinator.fetchOffsets('g', null).map((o) => o.topic)).to.deep.equal(['t']);
    expect((await h.coordinator.deleteOffsets('nope', [])).error).to.equal('group-id-not-found');
  });
});

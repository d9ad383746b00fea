import { expect } from 'chai';
import { GROUP_LIMITS } from '../../../src/limits';
import { OffsetStore } from '../../../src/broker/groups/offset-store';
import { isGroupError } from '../../../src/broker/groups/group-errors';
import { Harness, joinInput, keys, openHarness } from './group-fixtures';

const commit = (groupId: string, partition: number) => ({
  groupId, generationId: -1, memberId: '', groupInstanceId: null, offsets: [{ topic: 't', partition, offset: 1n, leaderEpoch: -1, metadata: null }],
});

describe('Group coordinator limits', () => {
  let h: Harness;
  afterEach(async () => h.close());

  it('refuses a new group past groupsMax with COORDINATOR_NOT_AVAILABLE and keeps serving the others', async () => {
    h = await openHarness({ groupsMax: 2 });
    void h.coordinator.join(joinInput({ groupId: 'a' }));
    void h.coordinator.join(joinInput({ groupId: 'b' }));
    expect((await h.coordinator.join(joinInput({ groupId: 'c' }))).error).to.equal('coordinator-not-available');
    expect(h.coordinator.list().map((g) => g.groupId)).to.deep.equal(['a', 'b']);
    expect((await h.coordinator.commitOffsets(commit('c', 0)))[0].error).to.equal('coordinator-not-available');
  });

  it('refuses MEMBER_ID_REQUIRED joins past pendingMembersPerGroupMax', async () => {
    h = await openHarness({ membership: { pendingMembersPerGroupMax: 2 } });
    const pending = joinInput({ requireKnownMemberId: true });
    expect((await h.coordinator.join(pending)).error).to.equal('member-id-required');
    expect((await h.coordinator.join(pending)).error).to.equal('member-id-required');
    expect((await h.coordinator.join(pending)).error).to.equal('group-max-size-reached');
  });

  it('refuses group ids longer than groupIdLengthMax with INVALID_GROUP_ID', async () => {
    h = await openHarness();
    const long = 'g'.repeat(GROUP_LIMITS.groupIdLengthMax + 1);
    expect((await h.coordinator.join(joinInput({ groupId: long }))).error).to.equal('invalid-group-id');
    expect((await h.coordinator.commitOffsets(commit(long, 0)))[0].error).to.equal('invalid-group-id');
    expect((await h.coordinator.commitOffsets(commit('g'.repeat(GROUP_LIMITS.groupIdLengthMax), 0)))[0].error).to.equal(null);
  });

  it('refuses new committed offsets past committedOffsetsMax but still updates existing ones', async () => {
    h = await openHarness();
    const offsets = await OffsetStore.open(h.store, keys, 2);
    await offsets.commit('g', [{ topic: 't', partition: 0, offset: 1n, leaderEpoch: -1, metadata: '', commitTimestampMs: 0 }]);
    await offsets.commit('g', [{ topic: 't', partition: 1, offset: 1n, leaderEpoch: -1, metadata: '', commitTimestampMs: 0 }]);
    let refused: unknown;
    await offsets.commit('g', [{ topic: 't', partition: 2, offset: 1n, leaderEpoch: -1, metadata: '', commitTimestampMs: 0 }]).catch((err) => { refused = err; });
    expect(isGroupError(refused, 'invalid-request')).to.equal(true);
    await offsets.commit('g', [{ topic: 't', partition: 0, offset: 9n, leaderEpoch: -1, metadata: '', commitTimestampMs: 0 }]);
    expect(offsets.get('g', 't', 0)?.offset).to.equal(9n);
    await offsets.close();
  });

  it('splits a commit of more partitions than one transaction may hold and keeps them all', async () => {
    h = await openHarness();
    const many = Array.from({ length: 300 }, (_, p) => ({ topic: 't', partition: p, offset: BigInt(p), leaderEpoch: -1, metadata: null }));
    const results = await h.coordinator.commitOffsets({ ...commit('g', 0), offsets: many });
    expect(results.every((r) => r.error === null)).to.equal(true);
    await h.reopen();
    expect(h.coordinator.fetchOffsets('g', null)).to.have.length(300);
  });
});

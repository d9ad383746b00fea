import { expect } from 'chai';
import type { GroupCoordinator } from '../../../src/broker/groups/group-coordinator';
import { GROUP_LIMITS } from '../../../src/limits';
import { Harness, INITIAL_DELAY_MS, joinInput, joinSettled, openHarness } from './group-fixtures';

const syncAll = (c: GroupCoordinator, generationId: number, memberIds: string[], leader: string) => Promise.all(memberIds.map((memberId) => c.sync({
  groupId: 'g', generationId, memberId, groupInstanceId: null, protocolType: null, protocolName: null,
  assignments: memberId === leader ? memberIds.map((m) => ({ memberId: m, assignment: Buffer.from(m) })) : [],
})));

describe('Group coordinator: heartbeats, sessions, leaving and static members', () => {
  let h: Harness;
  beforeEach(async () => { h = await openHarness(); });
  afterEach(async () => h.close());

  async function stableGroupOfTwo(overrides = {}) {
    const a = h.coordinator.join(joinInput(overrides));
    const b = h.coordinator.join(joinInput({ clientId: 'b', ...overrides }));
    await h.clock.advance(2 * INITIAL_DELAY_MS);
    const [ra, rb] = await Promise.all([a, b]);
    await syncAll(h.coordinator, ra.generationId, [ra.memberId, rb.memberId], ra.leader);
    return [ra, rb];
  }

  const beat = (memberId: string, generationId: number, groupInstanceId: string | null = null) =>
    h.coordinator.heartbeat({ groupId: 'g', memberId, generationId, groupInstanceId });

  it('answers heartbeats with no error when Stable, UNKNOWN_MEMBER_ID for strangers and ILLEGAL_GENERATION for old generations', async () => {
    const [a] = await stableGroupOfTwo();
    expect(beat(a.memberId, a.generationId)).to.equal(null);
    expect(beat('stranger', a.generationId)).to.equal('unknown-member-id');
    expect(beat(a.memberId, a.generationId - 1)).to.equal('illegal-generation');
    expect(h.coordinator.heartbeat({ groupId: 'nope', memberId: a.memberId, generationId: 1, groupInstanceId: null })).to.equal('unknown-member-id');
  });

  it('answers heartbeats in CompletingRebalance with no error', async () => {
    const a = await joinSettled(h);
    expect(h.coordinator.describe(['g'])[0].state).to.equal('CompletingRebalance');
    expect(beat(a.memberId, a.generationId)).to.equal(null);
  });

  it('removes a member that stops heartbeating after its session timeout and rebalances the rest', async () => {
    const [a, b] = await stableGroupOfTwo();
    for (let i = 0; i < 3; i++) {
      await h.clock.advance(3000);
      expect(beat(a.memberId, a.generationId)).to.equal(null);
    }
    await h.clock.advance(3000);
    // b has been silent for 12 s > 10 s session timeout: it is gone and a must rejoin.
    expect(beat(a.memberId, a.generationId)).to.equal('rebalance-in-progress');
    expect(beat(b.memberId, b.generationId)).to.equal('unknown-member-id');
    const alone = await h.coordinator.join(joinInput({ memberId: a.memberId }));
    expect(alone).to.include({ error: null, generationId: a.generationId + 1, leader: a.memberId });
    expect(alone.members.map((m) => m.memberId)).to.deep.equal([a.memberId]);
  });

  it('keeps a member whose JoinGroup is parked alive however long the rebalance takes', async () => {
    const [a] = await stableGroupOfTwo({ rebalanceTimeoutMs: 60_000, sessionTimeoutMs: 30_000 });
    const parked = h.coordinator.join(joinInput({ memberId: a.memberId, rebalanceTimeoutMs: 60_000, sessionTimeoutMs: 30_000 }));
    await h.clock.advance(29_000);
    expect(h.coordinator.describe(['g'])[0].members.map((m) => m.memberId)).to.include(a.memberId);
    // b never rejoins: its session ends at 30 s and the join completes with a alone.
    await h.clock.advance(1_001);
    const result = await parked;
    expect(result.error).to.equal(null);
    expect(result.members.map((m) => m.memberId)).to.deep.equal([a.memberId]);
  });

  it('removes members that never send SyncGroup and rebalances', async () => {
    const a = await joinSettled(h);
    for (let i = 0; i < 10; i++) {
      await h.clock.advance(2500);
      beat(a.memberId, a.generationId);
    }
    expect(h.coordinator.describe(['g'])[0]).to.include({ state: 'Empty', error: null });
    // Empty and without committed offsets, the group is forgotten after emptyGroupRetentionMs (then described as Dead).
    await h.clock.advance(GROUP_LIMITS.emptyGroupRetentionMs);
    expect(h.coordinator.describe(['g'])[0]).to.include({ state: 'Dead', error: 'group-id-not-found' });
  });

  it('lets a batch LeaveGroup remove several members; the group becomes Empty when none remain', async () => {
    const [a, b] = await stableGroupOfTwo();
    const result = h.coordinator.leave('g', [
      { memberId: a.memberId, groupInstanceId: null }, { memberId: 'ghost', groupInstanceId: null }, { memberId: b.memberId, groupInstanceId: null },
    ]);
    expect(result.members.map((m) => m.error)).to.deep.equal([null, 'unknown-member-id', null]);
    expect(h.coordinator.describe(['g'])[0]).to.deep.include({ state: 'Empty', members: [] });
    expect(h.coordinator.leave('unknown-group', [{ memberId: 'x', groupInstanceId: null }]).members[0].error).to.equal('unknown-member-id');
  });

  it('rebalances the remaining members when one leaves', async () => {
    const [a, b] = await stableGroupOfTwo();
    h.coordinator.leave('g', [{ memberId: b.memberId, groupInstanceId: null }]);
    expect(beat(a.memberId, a.generationId)).to.equal('rebalance-in-progress');
    const rejoined = await h.coordinator.join(joinInput({ memberId: a.memberId }));
    expect(rejoined.members.map((m) => m.memberId)).to.deep.equal([a.memberId]);
  });

  it('lets a static member (group.instance.id) rejoin with a new member id without a rebalance and fences the old id', async () => {
    const [a, b] = await stableGroupOfTwo({ groupInstanceId: null });
    const s = await openHarness();
    try {
      const first = s.coordinator.join(joinInput({ groupInstanceId: 'pod-1' }));
      const second = s.coordinator.join(joinInput({ groupInstanceId: 'pod-2', clientId: 'b' }));
      await s.clock.advance(2 * INITIAL_DELAY_MS);
      const [r1, r2] = await Promise.all([first, second]);
      await syncAll(s.coordinator, r1.generationId, [r1.memberId, r2.memberId], r1.leader);
      const follower = r1.leader === r1.memberId ? r2 : r1;
      const instance = follower === r1 ? 'pod-1' : 'pod-2';
      const back = await s.coordinator.join(joinInput({ groupInstanceId: instance, clientId: follower === r1 ? 'client' : 'b' }));
      expect(back.error).to.equal(null);
      expect(back.memberId).to.not.equal(follower.memberId);
      expect(back.generationId).to.equal(follower.generationId);
      expect(s.coordinator.describe(['g'])[0].state).to.equal('Stable');
      expect(s.coordinator.heartbeat({ groupId: 'g', memberId: follower.memberId, generationId: follower.generationId, groupInstanceId: instance }))
        .to.equal('fenced-instance-id');
      expect(s.coordinator.heartbeat({ groupId: 'g', memberId: back.memberId, generationId: back.generationId, groupInstanceId: instance })).to.equal(null);
      const left = s.coordinator.leave('g', [{ memberId: '', groupInstanceId: instance }]);
      expect(left.members[0].error).to.equal(null);
      expect(s.coordinator.describe(['g'])[0].state).to.equal('PreparingRebalance');
    } finally {
      await s.close();
    }
    expect([a.error, b.error]).to.deep.equal([null, null]);
  });

  it('forgets a MEMBER_ID_REQUIRED member that never comes back after its session timeout', async () => {
    const first = await h.coordinator.join(joinInput({ requireKnownMemberId: true }));
    expect(first.error).to.equal('member-id-required');
    await h.clock.advance(10_001);
    expect((await h.coordinator.join(joinInput({ requireKnownMemberId: true, memberId: first.memberId }))).error).to.equal('unknown-member-id');
  });
});

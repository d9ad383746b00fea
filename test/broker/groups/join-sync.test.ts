import { expect } from 'chai';
import { GROUP_LIMITS } from '../../../src/limits';
import { flush } from './fake-clock';
import { Harness, INITIAL_DELAY_MS, joinInput, joinNew, joinSettled, openHarness } from './group-fixtures';

describe('Group coordinator: JoinGroup and SyncGroup', () => {
  let h: Harness;
  beforeEach(async () => { h = await openHarness(); });
  afterEach(async () => h.close());

  it('answers a v4+ first join with MEMBER_ID_REQUIRED and a generated id, then completes a generation on the rejoin', async () => {
    const first = await h.coordinator.join(joinInput({ requireKnownMemberId: true, clientId: 'kafkajs' }));
    expect(first.error).to.equal('member-id-required');
    expect(first.memberId).to.match(/^kafkajs-[0-9a-f-]{36}$/);
    const secondJoin = h.coordinator.join(joinInput({ requireKnownMemberId: true, memberId: first.memberId }));
    await h.clock.advance(INITIAL_DELAY_MS);
    const second = await secondJoin;
    expect(second).to.include({ error: null, generationId: 1, protocolName: 'range', leader: first.memberId, memberId: first.memberId });
    expect(second.members.map((m) => m.memberId)).to.deep.equal([first.memberId]);
    expect(h.coordinator.describe(['g'])[0].state).to.equal('CompletingRebalance');
  });

  it('assigns the member id directly for v0-v3 joins and never answers MEMBER_ID_REQUIRED', async () => {
    const result = await joinSettled(h, { requireKnownMemberId: false });
    expect(result.error).to.equal(null);
    expect(result.memberId).to.match(/^client-/);
    expect(result.generationId).to.equal(1);
  });

  it('holds JoinGroup responses until every known member has rejoined; the leader alone gets the member list', async () => {
    const a = await joinSettled(h);
    await h.coordinator.sync({ groupId: 'g', generationId: 1, memberId: a.memberId, groupInstanceId: null, protocolType: null, protocolName: null, assignments: [] });
    let bDone = false;
    const b = h.coordinator.join(joinInput({ clientId: 'b' })).then((r) => { bDone = true; return r; });
    await flush();
    expect(bDone).to.equal(false);
    expect(h.coordinator.heartbeat({ groupId: 'g', generationId: 1, memberId: a.memberId, groupInstanceId: null })).to.equal('rebalance-in-progress');
    const aAgain = await h.coordinator.join(joinInput({ memberId: a.memberId }));
    const bResult = await b;
    expect(aAgain.generationId).to.equal(2);
    expect(bResult.generationId).to.equal(2);
    expect(aAgain.leader).to.equal(a.memberId);
    expect(aAgain.members.map((m) => m.memberId)).to.have.members([a.memberId, bResult.memberId]);
    expect(bResult.members).to.deep.equal([]);
  });

  it('completes the join after the rebalance timeout without members that did not rejoin', async () => {
    const a = await joinSettled(h, { rebalanceTimeoutMs: 15_000, sessionTimeoutMs: 30_000 });
    const b = h.coordinator.join(joinInput({ clientId: 'b', rebalanceTimeoutMs: 15_000 }));
    await h.clock.advance(14_999);
    expect(h.coordinator.describe(['g'])[0].state).to.equal('PreparingRebalance');
    await h.clock.advance(1);
    const result = await b;
    expect(result).to.include({ error: null, generationId: 2, leader: result.memberId });
    expect(h.coordinator.describe(['g'])[0].members.map((m) => m.memberId)).to.deep.equal([result.memberId]);
    expect(h.coordinator.heartbeat({ groupId: 'g', generationId: 1, memberId: a.memberId, groupInstanceId: null })).to.equal('unknown-member-id');
  });

  it('never holds a JoinGroup longer than joinWaitMsMax, whatever rebalance timeout the members ask for', async () => {
    await joinSettled(h, { rebalanceTimeoutMs: 300_000, sessionTimeoutMs: 60_000 });
    const b = h.coordinator.join(joinInput({ clientId: 'b', rebalanceTimeoutMs: 300_000 }));
    await h.clock.advance(GROUP_LIMITS.joinWaitMsMax);
    expect((await b).generationId).to.equal(2);
    expect(GROUP_LIMITS.joinWaitMsMax).to.be.below(30_000);
  });

  it('waits the initial rebalance delay so members starting together land in one generation', async () => {
    const delayed = await openHarness({ membership: { initialRebalanceDelayMs: 300 } });
    try {
      const a = delayed.coordinator.join(joinInput());
      await delayed.clock.advance(200);
      const b = delayed.coordinator.join(joinInput({ clientId: 'b' }));
      await delayed.clock.advance(299);
      let settled = false;
      void a.then(() => { settled = true; });
      await flush();
      expect(settled).to.equal(false);
      await delayed.clock.advance(301);
      const [ra, rb] = await Promise.all([a, b]);
      expect(ra.generationId).to.equal(1);
      expect(rb.generationId).to.equal(1);
      expect(ra.members).to.have.length(2);
    } finally {
      await delayed.close();
    }
  });

  it('parks followers in SyncGroup until the leader sends the assignments, then everyone is Stable', async () => {
    const a = h.coordinator.join(joinInput());
    const b = h.coordinator.join(joinInput({ clientId: 'b' }));
    // A member joining during the initial delay extends it once (Kafka InitialDelayedJoin).
    await h.clock.advance(2 * INITIAL_DELAY_MS);
    const [ra, rb] = await Promise.all([a, b]);
    const leader = ra.leader === ra.memberId ? ra : rb;
    const follower = leader === ra ? rb : ra;
    const followerSync = h.coordinator.sync({ groupId: 'g', generationId: follower.generationId, memberId: follower.memberId, groupInstanceId: null, protocolType: null, protocolName: null, assignments: [] });
    let followerDone = false;
    void followerSync.then(() => { followerDone = true; });
    await flush();
    expect(followerDone).to.equal(false);
    const leaderSync = await h.coordinator.sync({
      groupId: 'g', generationId: leader.generationId, memberId: leader.memberId, groupInstanceId: null, protocolType: 'consumer', protocolName: 'range',
      assignments: [{ memberId: leader.memberId, assignment: Buffer.from('L') }, { memberId: follower.memberId, assignment: Buffer.from('F') }],
    });
    expect(leaderSync.assignment.toString()).to.equal('L');
    expect((await followerSync).assignment.toString()).to.equal('F');
    expect(h.coordinator.describe(['g'])[0].state).to.equal('Stable');
  });

  it('answers SyncGroup with UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION, REBALANCE_IN_PROGRESS and INCONSISTENT_GROUP_PROTOCOL as Kafka does', async () => {
    const sync = (memberId: string, generationId: number, protocolName: string | null = null) => h.coordinator.sync({
      groupId: 'g', generationId, memberId, groupInstanceId: null, protocolType: null, protocolName, assignments: [],
    });
    expect((await sync('nobody', 1)).error).to.equal('unknown-member-id');
    const a = await joinSettled(h);
    expect((await sync(a.memberId, 7)).error).to.equal('illegal-generation');
    expect((await sync(a.memberId, 1, 'roundrobin')).error).to.equal('inconsistent-group-protocol');
    await sync(a.memberId, 1);
    void h.coordinator.join(joinInput({ clientId: 'b' }));
    expect((await sync(a.memberId, 1)).error).to.equal('rebalance-in-progress');
  });

  it('fails a join whose protocols do not intersect the group with INCONSISTENT_GROUP_PROTOCOL at once (mixed clients)', async () => {
    const { joined } = await joinNew(h.coordinator, { protocols: [{ name: 'RoundRobinAssigner', metadata: Buffer.alloc(0) }] });
    await h.clock.advance(INITIAL_DELAY_MS);
    expect((await joined).error).to.equal(null);
    const python = await h.coordinator.join(joinInput({ protocols: [{ name: 'range', metadata: Buffer.alloc(0) }, { name: 'roundrobin', metadata: Buffer.alloc(0) }] }));
    expect(python.error).to.equal('inconsistent-group-protocol');
    const otherType = await h.coordinator.join(joinInput({ protocolType: 'connect', protocols: [{ name: 'RoundRobinAssigner', metadata: Buffer.alloc(0) }] }));
    expect(otherType.error).to.equal('inconsistent-group-protocol');
  });

  it('refuses session timeouts outside [sessionTimeoutMsMin, sessionTimeoutMsMax] and empty group ids', async () => {
    expect((await h.coordinator.join(joinInput({ sessionTimeoutMs: GROUP_LIMITS.sessionTimeoutMsMin - 1 }))).error).to.equal('invalid-session-timeout');
    expect((await h.coordinator.join(joinInput({ sessionTimeoutMs: GROUP_LIMITS.sessionTimeoutMsMax + 1 }))).error).to.equal('invalid-session-timeout');
    expect((await h.coordinator.join(joinInput({ groupId: '' }))).error).to.equal('invalid-group-id');
  });

  it('answers UNKNOWN_MEMBER_ID to a join with a member id the group does not know', async () => {
    expect((await h.coordinator.join(joinInput({ memberId: 'ghost' }))).error).to.equal('unknown-member-id');
    await joinSettled(h);
    expect((await h.coordinator.join(joinInput({ memberId: 'ghost' }))).error).to.equal('unknown-member-id');
  });

  it('picks the protocol most members prefer among those all support', async () => {
    const both = [{ name: 'range', metadata: Buffer.from('r') }, { name: 'roundrobin', metadata: Buffer.from('rr') }];
    const rrFirst = [{ name: 'roundrobin', metadata: Buffer.from('rr') }, { name: 'range', metadata: Buffer.from('r') }];
    const joins = [h.coordinator.join(joinInput({ protocols: both })), h.coordinator.join(joinInput({ protocols: rrFirst })),
      h.coordinator.join(joinInput({ protocols: rrFirst }))];
    await h.clock.advance(2 * INITIAL_DELAY_MS);
    const results = await Promise.all(joins);
    expect(results.every((r) => r.protocolName === 'roundrobin')).to.equal(true);
    const leader = results.find((r) => r.members.length > 0);
    expect(leader?.members.every((m) => m.metadata.toString() === 'rr')).to.equal(true);
  });

  it('refuses joins past membersPerGroupMax with GROUP_MAX_SIZE_REACHED', async () => {
    const small = await openHarness({ membership: { membersPerGroupMax: 2 } });
    try {
      void small.coordinator.join(joinInput());
      void small.coordinator.join(joinInput());
      expect((await small.coordinator.join(joinInput())).error).to.equal('group-max-size-reached');
    } finally {
      await small.close();
    }
  });
});

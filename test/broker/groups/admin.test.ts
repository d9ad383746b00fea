import { expect } from 'chai';
import { GroupCoordinator } from '../../../src/broker/groups/group-coordinator';
import { OffsetStore } from '../../../src/broker/groups/offset-store';
import { eventually } from '../../coordination/helpers';
import { Harness, INITIAL_DELAY_MS, joinInput, keys, openHarness } from './group-fixtures';

describe('Group coordinator: describe, list and delete groups', () => {
  let h: Harness;
  beforeEach(async () => { h = await openHarness(); });
  afterEach(async () => h.close());

  it('describes a Stable group with members, metadata and assignments, and an unknown one as Dead', async () => {
    const joined = h.coordinator.join(joinInput({ clientId: 'kafkajs', protocols: [{ name: 'range', metadata: Buffer.from('sub') }] }));
    await h.clock.advance(INITIAL_DELAY_MS);
    const a = await joined;
    expect(h.coordinator.describe(['g'])[0]).to.include({ state: 'CompletingRebalance', protocolName: '' });
    await h.coordinator.sync({ groupId: 'g', generationId: 1, memberId: a.memberId, groupInstanceId: null, protocolType: null, protocolName: null,
      assignments: [{ memberId: a.memberId, assignment: Buffer.from('asg') }] });
    const [described, unknown] = h.coordinator.describe(['g', 'other']);
    expect(described).to.deep.include({ groupId: 'g', error: null, state: 'Stable', protocolType: 'consumer', protocolName: 'range' });
    expect(described.members).to.deep.equal([{
      memberId: a.memberId, groupInstanceId: null, clientId: 'kafkajs', clientHost: '/127.0.0.1', metadata: Buffer.from('sub'), assignment: Buffer.from('asg'),
    }]);
    expect(unknown).to.include({ state: 'Dead', error: 'group-id-not-found' });
    expect(h.coordinator.list()).to.deep.equal([{ groupId: 'g', protocolType: 'consumer', state: 'Stable' }]);
  });

  it('deletes an Empty group with its offsets, refuses a group with members, and reports unknown ones', async () => {
    await h.coordinator.commitOffsets({ groupId: 'empty', generationId: -1, memberId: '', groupInstanceId: null, offsets: [{ topic: 't', partition: 0, offset: 3n, leaderEpoch: -1, metadata: null }] });
    const joined = h.coordinator.join(joinInput());
    await h.clock.advance(INITIAL_DELAY_MS);
    await joined;
    const results = await h.coordinator.deleteGroups(['empty', 'g', 'never']);
    expect(results).to.deep.equal([
      { groupId: 'empty', error: null }, { groupId: 'g', error: 'non-empty-group' }, { groupId: 'never', error: 'group-id-not-found' },
    ]);
    await h.reopen();
    expect(h.coordinator.fetchOffsets('empty', [{ topic: 't', partition: 0 }])[0].offset).to.equal(-1n);
    expect(h.coordinator.list().map((g) => g.groupId)).to.not.include('empty');
  });

  it('knows groups whose offsets another coordinator committed to the shared store (a group moving here)', async () => {
    const other = new GroupCoordinator(await OffsetStore.open(h.store, keys), { clock: h.clock });
    await other.commitOffsets({ groupId: 'moved', generationId: -1, memberId: '', groupInstanceId: null, offsets: [{ topic: 't', partition: 0, offset: 8n, leaderEpoch: -1, metadata: null }] });
    await eventually(() => h.coordinator.fetchOffsets('moved', [{ topic: 't', partition: 0 }])[0].offset === 8n, 2000, 'offsets seen here');
    expect(h.coordinator.list()).to.deep.include({ groupId: 'moved', protocolType: '', state: 'Empty' });
    expect(h.coordinator.describe(['moved'])[0]).to.include({ state: 'Empty', error: null });
    expect(await h.coordinator.deleteGroups(['moved'])).to.deep.equal([{ groupId: 'moved', error: null }]);
    await other.close();
  });
});

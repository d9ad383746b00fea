import { expect } from 'chai';
import { OPERATIONS_NOT_REQUESTED } from '../../../../src/broker/kafka/authorized-operations';
import { describeGroupsHandler } from '../../../../src/broker/kafka/handlers/describe-groups';
import type { GroupDescription } from '../../../../src/broker/groups/group-api';
import type { GroupServices } from '../../../../src/broker/groups/group-services';
import { ctx } from '../../support/test-services';

/** GroupServices over fixed descriptions: this broker coordinates every group but "elsewhere". */
function groupsOf(descriptions: Record<string, GroupDescription>): GroupServices {
  return {
    coordinator: { describe: (ids: string[]) => ids.map((id) => descriptions[id]) },
    coordinates: (groupId: string) => groupId !== 'elsewhere',
  } as unknown as GroupServices;
}

const stable: GroupDescription = { groupId: 'g', error: null, state: 'Stable', protocolType: 'consumer', protocolName: 'range', members: [] };

describe('DescribeGroups handler', () => {
  it('reports every group operation when the request asks (v3+, no authorizer, KIP-430), INT32_MIN otherwise and for a group it does not describe', async () => {
    const handler = describeGroupsHandler(groupsOf({ g: stable }));
    const asked = await handler.handle({ groups: ['g', 'elsewhere'], includeAuthorizedOperations: true }, ctx(15, 3));
    // READ, DELETE, DESCRIBE: bits 3, 6, 8.
    expect(asked.groups.map((g: { errorCode: number; authorizedOperations: number }) => [g.errorCode, g.authorizedOperations]))
      .to.deep.equal([[0, 0b101001000], [16, OPERATIONS_NOT_REQUESTED]]);
    const plain = await handler.handle({ groups: ['g'], includeAuthorizedOperations: false }, ctx(15, 3));
    expect(plain.groups[0].authorizedOperations).to.equal(OPERATIONS_NOT_REQUESTED);
  });
});

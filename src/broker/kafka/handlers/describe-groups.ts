/**
 * DescribeGroups (15): state, protocol and members of each group. An unknown group is
 * described as Dead with no error (Kafka GroupCoordinator.DeadGroup); only v6+ (not described
 * yet) would answer GROUP_ID_NOT_FOUND (KIP-1043).
 */
import type { KafkaHandler } from '../handler';
import type { GroupDescription } from '../../groups/group-api';
import type { GroupServices } from '../../groups/group-services';
import { authorizedOperations, OPERATIONS_NOT_REQUESTED } from '../authorized-operations';
import { GroupErrorCode, groupErrorCode } from './group-error-codes';

interface DescribeGroupsRequest {
  groups: string[];
  includeAuthorizedOperations?: boolean;
}

function describeOne(d: GroupDescription, version: number, includeAuthorizedOperations: boolean | undefined) {
  const notFound = d.error === 'group-id-not-found';
  const errorCode = notFound && version < 6 ? GroupErrorCode.NONE : groupErrorCode(d.error);
  return {
    errorCode,
    groupId: d.groupId,
    groupState: d.state,
    protocolType: d.protocolType,
    protocolData: d.protocolName,
    members: d.members.map((m) => ({
      memberId: m.memberId, groupInstanceId: m.groupInstanceId, clientId: m.clientId, clientHost: m.clientHost,
      memberMetadata: m.metadata, memberAssignment: m.assignment,
    })),
    // KIP-430: only for a group that is described (Kafka leaves the default on an error).
    authorizedOperations: errorCode === GroupErrorCode.NONE ? authorizedOperations('group', includeAuthorizedOperations) : OPERATIONS_NOT_REQUESTED,
  };
}

function failed(groupId: string, errorCode: number) {
  return {
    errorCode, groupId, groupState: '', protocolType: '', protocolData: '', members: [], authorizedOperations: OPERATIONS_NOT_REQUESTED,
  };
}

export function describeGroupsHandler(groups: GroupServices): KafkaHandler {
  return {
    apiKey: 15,
    minVersion: 0,
    maxVersion: 5,
    async handle(request: DescribeGroupsRequest, ctx) {
      const described = request.groups.map((groupId) => (groups.coordinates(groupId)
        ? describeOne(groups.coordinator.describe([groupId])[0], ctx.apiVersion, request.includeAuthorizedOperations)
        : failed(groupId, GroupErrorCode.NOT_COORDINATOR)));
      return { throttleTimeMs: 0, groups: described };
    },
    errorResponse: (request: DescribeGroupsRequest, errorCode) => ({ throttleTimeMs: 0, groups: request.groups.map((g) => failed(g, errorCode)) }),
  };
}

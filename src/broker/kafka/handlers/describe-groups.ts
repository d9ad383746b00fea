/**
 * DescribeGroups (15): state, protocol and members of each group. An unknown group is
 * described as Dead with no error (Kafka GroupCoordinator.DeadGroup); only v6+ (not described
 * yet) would answer GROUP_ID_NOT_FOUND (KIP-1043).
 */
import type { KafkaHandler } from '../handler';
import type { GroupDescription } from '../../groups/group-api';
import type { GroupServices } from '../../groups/group-services';
import { GroupErrorCode, groupErrorCode } from './group-error-codes';

/** Kafka's "authorized operations not requested" sentinel (INT32_MIN). */
const OPERATIONS_NOT_REQUESTED = -2147483648;

interface DescribeGroupsRequest {
  groups: string[];
}

function describeOne(d: GroupDescription, version: number) {
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
    authorizedOperations: OPERATIONS_NOT_REQUESTED,
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
        ? describeOne(groups.coordinator.describe([groupId])[0], ctx.apiVersion)
        : failed(groupId, GroupErrorCode.NOT_COORDINATOR)));
      return { throttleTimeMs: 0, groups: described };
    },
    errorResponse: (request: DescribeGroupsRequest, errorCode) => ({ throttleTimeMs: 0, groups: request.groups.map((g) => failed(g, errorCode)) }),
  };
}

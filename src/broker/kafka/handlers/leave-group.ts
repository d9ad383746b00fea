/**
 * LeaveGroup (13): v0-v2 name one member and answer one error; v3+ leave in batches with an
 * error per member (KIP-345).
 */
import type { KafkaHandler } from '../handler';
import type { LeaveGroupResult } from '../../groups/group-api';
import type { GroupServices } from '../../groups/group-services';
import { groupErrorCode } from './group-error-codes';

interface LeaveGroupRequest {
  groupId: string;
  memberId?: string;
  members?: Array<{ memberId: string; groupInstanceId: string | null }>;
}

function respond(result: LeaveGroupResult, version: number) {
  const members = result.members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, errorCode: groupErrorCode(m.error) }));
  // Before v3 the one member's error is the response's error.
  const errorCode = result.error !== null || version >= 3 ? groupErrorCode(result.error) : members[0]?.errorCode ?? 0;
  return { throttleTimeMs: 0, errorCode, members };
}

export function leaveGroupHandler(groups: GroupServices): KafkaHandler {
  return {
    apiKey: 13,
    minVersion: 0,
    maxVersion: 5,
    async handle(request: LeaveGroupRequest, ctx) {
      const version = ctx.apiVersion;
      const leaving = version >= 3
        ? (request.members ?? []).map((m) => ({ memberId: m.memberId ?? '', groupInstanceId: m.groupInstanceId ?? null }))
        : [{ memberId: request.memberId ?? '', groupInstanceId: null }];
      if (!groups.coordinates(request.groupId)) return respond({ error: 'not-coordinator', members: [] }, version);
      return respond(groups.coordinator.leave(request.groupId, leaving), version);
    },
    errorResponse: (_request: LeaveGroupRequest, errorCode) => ({ throttleTimeMs: 0, errorCode, members: [] }),
  };
}

/** SyncGroup (14): the leader hands out assignments; everyone gets theirs. v5+ echoes protocol type and name. */
import type { KafkaHandler } from '../handler';
import type { SyncGroupResult } from '../../groups/group-api';
import type { GroupServices } from '../../groups/group-services';
import { groupErrorCode } from './group-error-codes';

interface SyncGroupRequest {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId?: string | null;
  protocolType?: string | null;
  protocolName?: string | null;
  assignments: Array<{ memberId: string; assignment: Buffer }>;
}

function respond(result: SyncGroupResult, errorCode = groupErrorCode(result.error)) {
  return { throttleTimeMs: 0, errorCode, protocolType: result.protocolType, protocolName: result.protocolName, assignment: result.assignment };
}

const empty: SyncGroupResult = { error: null, protocolType: null, protocolName: null, assignment: Buffer.alloc(0) };

export function syncGroupHandler(groups: GroupServices): KafkaHandler {
  return {
    apiKey: 14,
    minVersion: 0,
    maxVersion: 5,
    async handle(request: SyncGroupRequest, ctx) {
      const version = ctx.apiVersion;
      if (!groups.coordinates(request.groupId)) return respond({ ...empty, error: 'not-coordinator' });
      return respond(await groups.coordinator.sync({
        groupId: request.groupId,
        generationId: request.generationId,
        memberId: request.memberId,
        groupInstanceId: version >= 3 ? request.groupInstanceId ?? null : null,
        protocolType: version >= 5 ? request.protocolType ?? null : null,
        protocolName: version >= 5 ? request.protocolName ?? null : null,
        assignments: (request.assignments ?? []).map((a) => ({ memberId: a.memberId, assignment: a.assignment ?? Buffer.alloc(0) })),
      }));
    },
    errorResponse: (_request: SyncGroupRequest, errorCode) => respond(empty, errorCode),
  };
}

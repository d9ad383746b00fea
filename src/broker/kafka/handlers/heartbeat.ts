/** Heartbeat (12): keeps a member's session alive; REBALANCE_IN_PROGRESS tells it to rejoin. */
import type { KafkaHandler } from '../handler';
import type { GroupServices } from '../../groups/group-services';
import { groupErrorCode } from './group-error-codes';

interface HeartbeatRequest {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId?: string | null;
}

export function heartbeatHandler(groups: GroupServices): KafkaHandler {
  return {
    apiKey: 12,
    minVersion: 0,
    maxVersion: 4,
    async handle(request: HeartbeatRequest, ctx) {
      if (!groups.coordinates(request.groupId)) return { throttleTimeMs: 0, errorCode: groupErrorCode('not-coordinator') };
      const error = groups.coordinator.heartbeat({
        groupId: request.groupId,
        generationId: request.generationId,
        memberId: request.memberId,
        groupInstanceId: ctx.apiVersion >= 3 ? request.groupInstanceId ?? null : null,
      });
      return { throttleTimeMs: 0, errorCode: groupErrorCode(error) };
    },
    errorResponse: (_request: HeartbeatRequest, errorCode) => ({ throttleTimeMs: 0, errorCode }),
  };
}

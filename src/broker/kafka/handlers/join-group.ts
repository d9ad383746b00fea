/**
 * JoinGroup (11): maps every version onto the coordinator. v0 has no rebalance timeout (Kafka
 * uses the session timeout), v4+ asks new members to rejoin with an assigned id (KIP-394),
 * v5+ carries group.instance.id (KIP-345), protocol name/type are nullable only from v7.
 */
import type { KafkaHandler } from '../handler';
import type { JoinGroupResult } from '../../groups/group-api';
import { clientHostOf, GroupServices } from '../../groups/group-services';
import { groupErrorCode } from './group-error-codes';

interface JoinGroupRequest {
  groupId: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs?: number;
  memberId: string;
  groupInstanceId?: string | null;
  protocolType: string;
  protocols: Array<{ name: string; metadata: Buffer }>;
}

function respond(result: JoinGroupResult, version: number, errorCode = groupErrorCode(result.error)) {
  return {
    throttleTimeMs: 0,
    errorCode,
    generationId: result.generationId,
    protocolType: result.protocolType,
    // librdkafka fails on a null protocol name; only v7+ may carry null.
    protocolName: result.protocolName ?? (version >= 7 ? null : ''),
    leader: result.leader,
    skipAssignment: false,
    memberId: result.memberId,
    members: result.members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, metadata: m.metadata })),
  };
}

function failure(memberId: string) {
  return { error: null, generationId: -1, protocolType: null, protocolName: null, leader: '', memberId, members: [] };
}

export function joinGroupHandler(groups: GroupServices): KafkaHandler {
  return {
    apiKey: 11,
    minVersion: 0,
    maxVersion: 9,
    async handle(request: JoinGroupRequest, ctx) {
      const version = ctx.apiVersion;
      if (!groups.coordinates(request.groupId)) return respond({ ...failure(request.memberId), error: 'not-coordinator' }, version);
      const result = await groups.coordinator.join({
        groupId: request.groupId,
        memberId: request.memberId ?? '',
        groupInstanceId: version >= 5 ? request.groupInstanceId ?? null : null,
        requireKnownMemberId: version >= 4,
        clientId: ctx.clientId ?? '',
        clientHost: clientHostOf(ctx.connection.remote),
        sessionTimeoutMs: request.sessionTimeoutMs,
        rebalanceTimeoutMs: version >= 1 ? request.rebalanceTimeoutMs ?? request.sessionTimeoutMs : request.sessionTimeoutMs,
        protocolType: request.protocolType,
        protocols: request.protocols.map((p) => ({ name: p.name, metadata: p.metadata ?? Buffer.alloc(0) })),
      });
      return respond(result, version);
    },
    errorResponse(request: JoinGroupRequest, errorCode, ctx) {
      return respond(failure(request.memberId ?? ''), ctx.apiVersion, errorCode);
    },
  };
}

/**
 * ListGroups (16): the groups this broker coordinates. v4+ filter by state (KIP-518), v5+ by
 * type (KIP-848); every group here is a "classic" group. Filters match case-insensitively.
 */
import type { KafkaHandler } from '../handler';
import type { GroupServices } from '../../groups/group-services';

const GROUP_TYPE = 'classic';

interface ListGroupsRequest {
  statesFilter?: string[];
  typesFilter?: string[];
}

export function listGroupsHandler(groups: GroupServices): KafkaHandler {
  return {
    apiKey: 16,
    minVersion: 0,
    maxVersion: 5,
    async handle(request: ListGroupsRequest, ctx) {
      const states = new Set((ctx.apiVersion >= 4 ? request.statesFilter ?? [] : []).map((s) => s.toLowerCase()));
      const types = new Set((ctx.apiVersion >= 5 ? request.typesFilter ?? [] : []).map((t) => t.toLowerCase()));
      const listed = types.size > 0 && !types.has(GROUP_TYPE) ? [] : groups.coordinator.list()
        .filter((g) => states.size === 0 || states.has(g.state.toLowerCase()));
      return {
        throttleTimeMs: 0,
        errorCode: 0,
        groups: listed.map((g) => ({ groupId: g.groupId, protocolType: g.protocolType, groupState: g.state, groupType: GROUP_TYPE })),
      };
    },
    errorResponse: (_request: ListGroupsRequest, errorCode) => ({ throttleTimeMs: 0, errorCode, groups: [] }),
  };
}

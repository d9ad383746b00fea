/** DeleteGroups (42): removes Empty groups and their committed offsets; groups with members answer NON_EMPTY_GROUP. */
import type { KafkaHandler } from '../handler';
import type { GroupServices } from '../../groups/group-services';
import { GroupErrorCode, groupErrorCode } from './group-error-codes';

interface DeleteGroupsRequest {
  groupsNames: string[];
}

export function deleteGroupsHandler(groups: GroupServices): KafkaHandler {
  return {
    apiKey: 42,
    minVersion: 0,
    maxVersion: 2,
    async handle(request: DeleteGroupsRequest) {
      const local = request.groupsNames.filter((g) => groups.coordinates(g));
      const deleted = new Map((await groups.coordinator.deleteGroups(local)).map((r) => [r.groupId, r.error]));
      return {
        throttleTimeMs: 0,
        results: request.groupsNames.map((groupId) => ({
          groupId, errorCode: deleted.has(groupId) ? groupErrorCode(deleted.get(groupId) ?? null) : GroupErrorCode.NOT_COORDINATOR,
        })),
      };
    },
    errorResponse: (request: DeleteGroupsRequest, errorCode) => ({
      throttleTimeMs: 0, results: request.groupsNames.map((groupId) => ({ groupId, errorCode })),
    }),
  };
}

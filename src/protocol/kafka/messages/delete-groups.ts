/** DeleteGroups (42), from DeleteGroupsRequest/Response.json (KIP-229). */
import type { ApiSpec } from '../schema';

export const DeleteGroups = {
  name: 'DeleteGroups',
  apiKey: 42,
  request: {
    name: 'DeleteGroupsRequest', apiKey: 42, validVersions: '0-2', flexibleVersions: '2+',
    fields: [
      { name: 'groupsNames', type: '[]string', versions: '0+' },
    ],
  },
  response: {
    name: 'DeleteGroupsResponse', apiKey: 42, validVersions: '0-2', flexibleVersions: '2+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
      {
        name: 'results', type: '[]struct', versions: '0+', fields: [
          { name: 'groupId', type: 'string', versions: '0+' },
          { name: 'errorCode', type: 'int16', versions: '0+' },
        ],
      },
    ],
  },
} as const satisfies ApiSpec;

/** ListGroups (16), from ListGroupsRequest/Response.json. v4+ state filter (KIP-518), v5+ type filter (KIP-848). */
import type { ApiSpec } from '../schema';

export const ListGroups = {
  name: 'ListGroups',
  apiKey: 16,
  request: {
    name: 'ListGroupsRequest', apiKey: 16, validVersions: '0-5', flexibleVersions: '3+',
    fields: [
      { name: 'statesFilter', type: '[]string', versions: '4+' },
      { name: 'typesFilter', type: '[]string', versions: '5+' },
    ],
  },
  response: {
    name: 'ListGroupsResponse', apiKey: 16, validVersions: '0-5', flexibleVersions: '3+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '1+' },
      { name: 'errorCode', type: 'int16', versions: '0+' },
      {
        name: 'groups', type: '[]struct', versions: '0+', fields: [
          { name: 'groupId', type: 'string', versions: '0+' },
          { name: 'protocolType', type: 'string', versions: '0+' },
          { name: 'groupState', type: 'string', versions: '4+' },
          { name: 'groupType', type: 'string', versions: '5+' },
        ],
      },
    ],
  },
} as const satisfies ApiSpec;

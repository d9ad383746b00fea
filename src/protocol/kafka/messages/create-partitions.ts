/** CreatePartitions (37), from CreatePartitionsRequest/Response.json. */
import type { ApiSpec } from '../schema';

export const CreatePartitions = {
  name: 'CreatePartitions',
  apiKey: 37,
  request: {
    name: 'CreatePartitionsRequest', apiKey: 37, validVersions: '0-3', flexibleVersions: '2+',
    fields: [
      {
        name: 'topics', type: '[]struct', versions: '0+', fields: [
          { name: 'name', type: 'string', versions: '0+' },
          { name: 'count', type: 'int32', versions: '0+' },
          {
            name: 'assignments', type: '[]struct', versions: '0+', nullableVersions: '0+', fields: [
              { name: 'brokerIds', type: '[]int32', versions: '0+' },
            ],
          },
        ],
      },
      { name: 'timeoutMs', type: 'int32', versions: '0+' },
      { name: 'validateOnly', type: 'bool', versions: '0+' },
    ],
  },
  response: {
    name: 'CreatePartitionsResponse', apiKey: 37, validVersions: '0-3', flexibleVersions: '2+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
      {
        name: 'results', type: '[]struct', versions: '0+', fields: [
          { name: 'name', type: 'string', versions: '0+' },
          { name: 'errorCode', type: 'int16', versions: '0+' },
          { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
        ],
      },
    ],
  },
} as const satisfies ApiSpec;

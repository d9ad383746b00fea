/** DeleteTopics (20), from DeleteTopicsRequest/Response.json. v6 names topics by name or id (KIP-516). */
import type { ApiSpec } from '../schema';

export const DeleteTopics = {
  name: 'DeleteTopics',
  apiKey: 20,
  request: {
    name: 'DeleteTopicsRequest', apiKey: 20, validVersions: '0-6', flexibleVersions: '4+',
    fields: [
      {
        name: 'topics', type: '[]struct', versions: '6+', fields: [
          { name: 'name', type: 'string', versions: '6+', nullableVersions: '6+', default: null },
          { name: 'topicId', type: 'uuid', versions: '6+' },
        ],
      },
      { name: 'topicNames', type: '[]string', versions: '0-5' },
      { name: 'timeoutMs', type: 'int32', versions: '0+' },
    ],
  },
  response: {
    name: 'DeleteTopicsResponse', apiKey: 20, validVersions: '0-6', flexibleVersions: '4+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '1+' },
      {
        name: 'responses', type: '[]struct', versions: '0+', fields: [
          { name: 'name', type: 'string', versions: '0+', nullableVersions: '6+' },
          { name: 'topicId', type: 'uuid', versions: '6+' },
          { name: 'errorCode', type: 'int16', versions: '0+' },
          { name: 'errorMessage', type: 'string', versions: '5+', nullableVersions: '5+', default: null },
        ],
      },
    ],
  },
} as const satisfies ApiSpec;

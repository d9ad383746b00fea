/** OffsetDelete (47), from OffsetDeleteRequest/Response.json (KIP-496). Only v0, never flexible. */
import type { ApiSpec } from '../schema';

export const OffsetDelete = {
  name: 'OffsetDelete',
  apiKey: 47,
  request: {
    name: 'OffsetDeleteRequest', apiKey: 47, validVersions: '0', flexibleVersions: 'none',
    fields: [
      { name: 'groupId', type: 'string', versions: '0+' },
      {
        name: 'topics', type: '[]struct', versions: '0+', fields: [
          { name: 'name', type: 'string', versions: '0+' },
          {
            name: 'partitions', type: '[]struct', versions: '0+', fields: [
              { name: 'partitionIndex', type: 'int32', versions: '0+' },
            ],
          },
        ],
      },
    ],
  },
  response: {
    name: 'OffsetDeleteResponse', apiKey: 47, validVersions: '0', flexibleVersions: 'none',
    fields: [
      // Error code before throttle time: the one response laid out this way.
      { name: 'errorCode', type: 'int16', versions: '0+' },
      { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
      {
        name: 'topics', type: '[]struct', versions: '0+', fields: [
          { name: 'name', type: 'string', versions: '0+' },
          {
            name: 'partitions', type: '[]struct', versions: '0+', fields: [
              { name: 'partitionIndex', type: 'int32', versions: '0+' },
              { name: 'errorCode', type: 'int16', versions: '0+' },
            ],
          },
        ],
      },
    ],
  },
} as const satisfies ApiSpec;

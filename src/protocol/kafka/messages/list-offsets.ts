/**
 * ListOffsets (2), from ListOffsetsRequest/Response.json. v0 answers an array of old-style
 * offsets; v1+ one (timestamp, offset) pair (KIP-79). Timestamp -1 = latest, -2 = earliest.
 */
import type { ApiSpec } from '../schema';

export const ListOffsets = {
  name: 'ListOffsets',
  apiKey: 2,
  request: {
    name: 'ListOffsetsRequest', apiKey: 2, validVersions: '0-10', flexibleVersions: '6+',
    fields: [
      { name: 'replicaId', type: 'int32', versions: '0+' },
      { name: 'isolationLevel', type: 'int8', versions: '2+' },
      {
        name: 'topics', type: '[]struct', versions: '0+', fields: [
          { name: 'name', type: 'string', versions: '0+' },
          {
            name: 'partitions', type: '[]struct', versions: '0+', fields: [
              { name: 'partitionIndex', type: 'int32', versions: '0+' },
              { name: 'currentLeaderEpoch', type: 'int32', versions: '4+', default: -1 },
              { name: 'timestamp', type: 'int64', versions: '0+' },
              { name: 'maxNumOffsets', type: 'int32', versions: '0', default: 1 },
            ],
          },
        ],
      },
      { name: 'timeoutMs', type: 'int32', versions: '10+' },
    ],
  },
  response: {
    name: 'ListOffsetsResponse', apiKey: 2, validVersions: '0-10', flexibleVersions: '6+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '2+' },
      {
        name: 'topics', type: '[]struct', versions: '0+', fields: [
          { name: 'name', type: 'string', versions: '0+' },
          {
            name: 'partitions', type: '[]struct', versions: '0+', fields: [
              { name: 'partitionIndex', type: 'int32', versions: '0+' },
              { name: 'errorCode', type: 'int16', versions: '0+' },
              { name: 'oldStyleOffsets', type: '[]int64', versions: '0' },
              { name: 'timestamp', type: 'int64', versions: '1+', default: -1 },
              { name: 'offset', type: 'int64', versions: '1+', default: -1 },
              { name: 'leaderEpoch', type: 'int32', versions: '4+', default: -1 },
            ],
          },
        ],
      },
    ],
  },
} as const satisfies ApiSpec;

/**
 * OffsetFetch (9), from OffsetFetchRequest/Response.json. v0-7 ask for one group (v2+ null
 * topics = all, with a top-level error code); v8+ ask for several groups at once (KIP-709) and
 * answer per group. v7+ require-stable (KIP-447).
 */
import type { ApiSpec } from '../schema';

export const OffsetFetch = {
  name: 'OffsetFetch',
  apiKey: 9,
  request: {
    name: 'OffsetFetchRequest', apiKey: 9, validVersions: '0-9', flexibleVersions: '6+',
    fields: [
      { name: 'groupId', type: 'string', versions: '0-7' },
      {
        name: 'topics', type: '[]struct', versions: '0-7', nullableVersions: '2-7', fields: [
          { name: 'name', type: 'string', versions: '0-7' },
          { name: 'partitionIndexes', type: '[]int32', versions: '0-7' },
        ],
      },
      {
        name: 'groups', type: '[]struct', versions: '8+', fields: [
          { name: 'groupId', type: 'string', versions: '8+' },
          { name: 'memberId', type: 'string', versions: '9+', nullableVersions: '9+', default: null },
          { name: 'memberEpoch', type: 'int32', versions: '9+', default: -1 },
          {
            name: 'topics', type: '[]struct', versions: '8+', nullableVersions: '8+', fields: [
              { name: 'name', type: 'string', versions: '8+' },
              { name: 'partitionIndexes', type: '[]int32', versions: '8+' },
            ],
          },
        ],
      },
      { name: 'requireStable', type: 'bool', versions: '7+', default: false },
    ],
  },
  response: {
    name: 'OffsetFetchResponse', apiKey: 9, validVersions: '0-9', flexibleVersions: '6+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '3+' },
      {
        name: 'topics', type: '[]struct', versions: '0-7', fields: [
          { name: 'name', type: 'string', versions: '0-7' },
          {
            name: 'partitions', type: '[]struct', versions: '0-7', fields: [
              { name: 'partitionIndex', type: 'int32', versions: '0-7' },
              { name: 'committedOffset', type: 'int64', versions: '0-7' },
              { name: 'committedLeaderEpoch', type: 'int32', versions: '5-7', default: -1 },
              { name: 'metadata', type: 'string', versions: '0-7', nullableVersions: '0-7' },
              { name: 'errorCode', type: 'int16', versions: '0-7' },
            ],
          },
        ],
      },
      { name: 'errorCode', type: 'int16', versions: '2-7', default: 0 },
      {
        name: 'groups', type: '[]struct', versions: '8+', fields: [
          { name: 'groupId', type: 'string', versions: '8+' },
          {
            name: 'topics', type: '[]struct', versions: '8+', fields: [
              { name: 'name', type: 'string', versions: '8+' },
              {
                name: 'partitions', type: '[]struct', versions: '8+', fields: [
                  { name: 'partitionIndex', type: 'int32', versions: '8+' },
                  { name: 'committedOffset', type: 'int64', versions: '8+' },
                  { name: 'committedLeaderEpoch', type: 'int32', versions: '8+', default: -1 },
                  { name: 'metadata', type: 'string', versions: '8+', nullableVersions: '8+' },
                  { name: 'errorCode', type: 'int16', versions: '8+' },
                ],
              },
            ],
          },
          { name: 'errorCode', type: 'int16', versions: '8+', default: 0 },
        ],
      },
    ],
  },
} as const satisfies ApiSpec;

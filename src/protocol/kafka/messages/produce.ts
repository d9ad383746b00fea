/**
 * Produce (0), from ProduceRequest/Response.json. Versions 0-2 carry MessageSet v0/v1, which no
 * supported client needs (librdkafka uses v3+ once MsgVer2 is probed), so the range starts at 3.
 * Records stay the raw bytes the client sent. Throttle time is the LAST response field.
 */
import type { ApiSpec } from '../schema';
import { leaderIdAndEpochFields, nodeEndpointFields } from './common-structs';

export const Produce = {
  name: 'Produce',
  apiKey: 0,
  request: {
    name: 'ProduceRequest', apiKey: 0, validVersions: '3-11', flexibleVersions: '9+',
    fields: [
      { name: 'transactionalId', type: 'string', versions: '3+', nullableVersions: '3+', default: null },
      { name: 'acks', type: 'int16', versions: '0+' },
      { name: 'timeoutMs', type: 'int32', versions: '0+' },
      {
        name: 'topicData', type: '[]struct', versions: '0+', fields: [
          { name: 'name', type: 'string', versions: '0+' },
          {
            name: 'partitionData', type: '[]struct', versions: '0+', fields: [
              { name: 'index', type: 'int32', versions: '0+' },
              { name: 'records', type: 'records', versions: '0+', nullableVersions: '0+' },
            ],
          },
        ],
      },
    ],
  },
  response: {
    name: 'ProduceResponse', apiKey: 0, validVersions: '3-11', flexibleVersions: '9+',
    fields: [
      {
        name: 'responses', type: '[]struct', versions: '0+', fields: [
          { name: 'name', type: 'string', versions: '0+' },
          {
            name: 'partitionResponses', type: '[]struct', versions: '0+', fields: [
              { name: 'index', type: 'int32', versions: '0+' },
              { name: 'errorCode', type: 'int16', versions: '0+' },
              { name: 'baseOffset', type: 'int64', versions: '0+' },
              { name: 'logAppendTimeMs', type: 'int64', versions: '2+', default: -1 },
              { name: 'logStartOffset', type: 'int64', versions: '5+', default: -1 },
              {
                name: 'recordErrors', type: '[]struct', versions: '8+', fields: [
                  { name: 'batchIndex', type: 'int32', versions: '8+' },
                  { name: 'batchIndexErrorMessage', type: 'string', versions: '8+', nullableVersions: '8+', default: null },
                ],
              },
              { name: 'errorMessage', type: 'string', versions: '8+', nullableVersions: '8+', default: null },
              { name: 'currentLeader', type: 'struct', versions: '10+', taggedVersions: '10+', tag: 0, fields: leaderIdAndEpochFields('10+') },
            ],
          },
        ],
      },
      { name: 'throttleTimeMs', type: 'int32', versions: '1+', default: 0 },
      { name: 'nodeEndpoints', type: '[]struct', versions: '10+', taggedVersions: '10+', tag: 0, fields: nodeEndpointFields('10+') },
    ],
  },
} as const satisfies ApiSpec;

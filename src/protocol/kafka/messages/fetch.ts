/**
 * Fetch (1), from FetchRequest/Response.json. Versions 0-3 return MessageSet v0/v1 only, so the
 * range starts at 4. v7+ fetch sessions (KIP-227), v11 preferred read replica (KIP-392),
 * v12+ flexible with tagged diverging epoch / current leader / snapshot id, v13+ topic ids
 * instead of names (KIP-516), v15 replica state (KIP-903), v16 node endpoints (KIP-951).
 * Throttle time is the FIRST response field.
 */
import type { ApiSpec } from '../schema';
import { leaderIdAndEpochFields, nodeEndpointFields } from './common-structs';

export const Fetch = {
  name: 'Fetch',
  apiKey: 1,
  request: {
    name: 'FetchRequest', apiKey: 1, validVersions: '4-17', flexibleVersions: '12+',
    fields: [
      { name: 'clusterId', type: 'string', versions: '12+', nullableVersions: '12+', taggedVersions: '12+', tag: 0, default: null },
      { name: 'replicaId', type: 'int32', versions: '0-14', default: -1 },
      {
        name: 'replicaState', type: 'struct', versions: '15+', taggedVersions: '15+', tag: 1, fields: [
          { name: 'replicaId', type: 'int32', versions: '15+', default: -1 },
          { name: 'replicaEpoch', type: 'int64', versions: '15+', default: -1 },
        ],
      },
      { name: 'maxWaitMs', type: 'int32', versions: '0+' },
      { name: 'minBytes', type: 'int32', versions: '0+' },
      { name: 'maxBytes', type: 'int32', versions: '3+', default: 0x7fffffff },
      { name: 'isolationLevel', type: 'int8', versions: '4+', default: 0 },
      { name: 'sessionId', type: 'int32', versions: '7+', default: 0 },
      { name: 'sessionEpoch', type: 'int32', versions: '7+', default: -1 },
      {
        name: 'topics', type: '[]struct', versions: '0+', fields: [
          { name: 'topic', type: 'string', versions: '0-12' },
          { name: 'topicId', type: 'uuid', versions: '13+' },
          {
            name: 'partitions', type: '[]struct', versions: '0+', fields: [
              { name: 'partition', type: 'int32', versions: '0+' },
              { name: 'currentLeaderEpoch', type: 'int32', versions: '9+', default: -1 },
              { name: 'fetchOffset', type: 'int64', versions: '0+' },
              { name: 'lastFetchedEpoch', type: 'int32', versions: '12+', default: -1 },
              { name: 'logStartOffset', type: 'int64', versions: '5+', default: -1 },
              { name: 'partitionMaxBytes', type: 'int32', versions: '0+' },
              { name: 'replicaDirectoryId', type: 'uuid', versions: '17+', taggedVersions: '17+', tag: 0 },
            ],
          },
        ],
      },
      {
        name: 'forgottenTopicsData', type: '[]struct', versions: '7+', fields: [
          { name: 'topic', type: 'string', versions: '7-12' },
          { name: 'topicId', type: 'uuid', versions: '13+' },
          { name: 'partitions', type: '[]int32', versions: '7+' },
        ],
      },
      { name: 'rackId', type: 'string', versions: '11+', default: '' },
    ],
  },
  response: {
    name: 'FetchResponse', apiKey: 1, validVersions: '4-17', flexibleVersions: '12+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '1+' },
      { name: 'errorCode', type: 'int16', versions: '7+' },
      { name: 'sessionId', type: 'int32', versions: '7+', default: 0 },
      {
        name: 'responses', type: '[]struct', versions: '0+', fields: [
          { name: 'topic', type: 'string', versions: '0-12' },
          { name: 'topicId', type: 'uuid', versions: '13+' },
          {
            name: 'partitions', type: '[]struct', versions: '0+', fields: [
              { name: 'partitionIndex', type: 'int32', versions: '0+' },
              { name: 'errorCode', type: 'int16', versions: '0+' },
              { name: 'highWatermark', type: 'int64', versions: '0+' },
              { name: 'lastStableOffset', type: 'int64', versions: '4+', default: -1 },
              { name: 'logStartOffset', type: 'int64', versions: '5+', default: -1 },
              {
                name: 'divergingEpoch', type: 'struct', versions: '12+', taggedVersions: '12+', tag: 0, fields: [
                  { name: 'epoch', type: 'int32', versions: '12+', default: -1 },
                  { name: 'endOffset', type: 'int64', versions: '12+', default: -1 },
                ],
              },
              { name: 'currentLeader', type: 'struct', versions: '12+', taggedVersions: '12+', tag: 1, fields: leaderIdAndEpochFields('12+') },
              {
                name: 'snapshotId', type: 'struct', versions: '12+', taggedVersions: '12+', tag: 2, fields: [
                  { name: 'endOffset', type: 'int64', versions: '0+', default: -1 },
                  { name: 'epoch', type: 'int32', versions: '0+', default: -1 },
                ],
              },
              {
                name: 'abortedTransactions', type: '[]struct', versions: '4+', nullableVersions: '4+', fields: [
                  { name: 'producerId', type: 'int64', versions: '4+' },
                  { name: 'firstOffset', type: 'int64', versions: '4+' },
                ],
              },
              // Must be -1: librdkafka otherwise fetches from that node and drops these records (KIP-392).
              { name: 'preferredReadReplica', type: 'int32', versions: '11+', default: -1 },
              // Never null on the wire from this broker: librdkafka rejects a null record set.
              { name: 'records', type: 'records', versions: '0+', nullableVersions: '0+' },
            ],
          },
        ],
      },
      { name: 'nodeEndpoints', type: '[]struct', versions: '16+', taggedVersions: '16+', tag: 0, fields: nodeEndpointFields('16+') },
    ],
  },
} as const satisfies ApiSpec;

/**
 * JoinGroup (11), from JoinGroupRequest/Response.json. v4+ clients accept MEMBER_ID_REQUIRED
 * (KIP-394), v5+ static members (KIP-345), v7+ protocol type in the response, v9 skip assignment.
 */
import type { ApiSpec } from '../schema';

export const JoinGroup = {
  name: 'JoinGroup',
  apiKey: 11,
  request: {
    name: 'JoinGroupRequest', apiKey: 11, validVersions: '0-9', flexibleVersions: '6+',
    fields: [
      { name: 'groupId', type: 'string', versions: '0+' },
      { name: 'sessionTimeoutMs', type: 'int32', versions: '0+' },
      { name: 'rebalanceTimeoutMs', type: 'int32', versions: '1+', default: -1 },
      { name: 'memberId', type: 'string', versions: '0+' },
      { name: 'groupInstanceId', type: 'string', versions: '5+', nullableVersions: '5+', default: null },
      { name: 'protocolType', type: 'string', versions: '0+' },
      {
        name: 'protocols', type: '[]struct', versions: '0+', fields: [
          { name: 'name', type: 'string', versions: '0+' },
          { name: 'metadata', type: 'bytes', versions: '0+' },
        ],
      },
      { name: 'reason', type: 'string', versions: '8+', nullableVersions: '8+', default: null },
    ],
  },
  response: {
    name: 'JoinGroupResponse', apiKey: 11, validVersions: '0-9', flexibleVersions: '6+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '2+' },
      { name: 'errorCode', type: 'int16', versions: '0+' },
      { name: 'generationId', type: 'int32', versions: '0+', default: -1 },
      { name: 'protocolType', type: 'string', versions: '7+', nullableVersions: '7+', default: null },
      // Send a name even where nullable: librdkafka fails on a null protocol name.
      { name: 'protocolName', type: 'string', versions: '0+', nullableVersions: '7+' },
      { name: 'leader', type: 'string', versions: '0+' },
      { name: 'skipAssignment', type: 'bool', versions: '9+', default: false },
      { name: 'memberId', type: 'string', versions: '0+' },
      {
        name: 'members', type: '[]struct', versions: '0+', fields: [
          { name: 'memberId', type: 'string', versions: '0+' },
          { name: 'groupInstanceId', type: 'string', versions: '5+', nullableVersions: '5+', default: null },
          { name: 'metadata', type: 'bytes', versions: '0+' },
        ],
      },
    ],
  },
} as const satisfies ApiSpec;

/** SyncGroup (14), from SyncGroupRequest/Response.json. v3+ static members, v5+ protocol type/name (KIP-559). */
import type { ApiSpec } from '../schema';

export const SyncGroup = {
  name: 'SyncGroup',
  apiKey: 14,
  request: {
    name: 'SyncGroupRequest', apiKey: 14, validVersions: '0-5', flexibleVersions: '4+',
    fields: [
      { name: 'groupId', type: 'string', versions: '0+' },
      { name: 'generationId', type: 'int32', versions: '0+' },
      { name: 'memberId', type: 'string', versions: '0+' },
      { name: 'groupInstanceId', type: 'string', versions: '3+', nullableVersions: '3+', default: null },
      { name: 'protocolType', type: 'string', versions: '5+', nullableVersions: '5+', default: null },
      { name: 'protocolName', type: 'string', versions: '5+', nullableVersions: '5+', default: null },
      {
        name: 'assignments', type: '[]struct', versions: '0+', fields: [
          { name: 'memberId', type: 'string', versions: '0+' },
          { name: 'assignment', type: 'bytes', versions: '0+' },
        ],
      },
    ],
  },
  response: {
    name: 'SyncGroupResponse', apiKey: 14, validVersions: '0-5', flexibleVersions: '4+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '1+' },
      { name: 'errorCode', type: 'int16', versions: '0+' },
      { name: 'protocolType', type: 'string', versions: '5+', nullableVersions: '5+', default: null },
      { name: 'protocolName', type: 'string', versions: '5+', nullableVersions: '5+', default: null },
      { name: 'assignment', type: 'bytes', versions: '0+' },
    ],
  },
} as const satisfies ApiSpec;

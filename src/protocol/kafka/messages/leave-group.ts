/** LeaveGroup (13), from LeaveGroupRequest/Response.json. v3+ removes several members at once (KIP-345). */
import type { ApiSpec } from '../schema';

export const LeaveGroup = {
  name: 'LeaveGroup',
  apiKey: 13,
  request: {
    name: 'LeaveGroupRequest', apiKey: 13, validVersions: '0-5', flexibleVersions: '4+',
    fields: [
      { name: 'groupId', type: 'string', versions: '0+' },
      { name: 'memberId', type: 'string', versions: '0-2' },
      {
        name: 'members', type: '[]struct', versions: '3+', fields: [
          { name: 'memberId', type: 'string', versions: '3+' },
          { name: 'groupInstanceId', type: 'string', versions: '3+', nullableVersions: '3+', default: null },
          { name: 'reason', type: 'string', versions: '5+', nullableVersions: '5+', default: null },
        ],
      },
    ],
  },
  response: {
    name: 'LeaveGroupResponse', apiKey: 13, validVersions: '0-5', flexibleVersions: '4+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '1+' },
      { name: 'errorCode', type: 'int16', versions: '0+' },
      {
        name: 'members', type: '[]struct', versions: '3+', fields: [
          { name: 'memberId', type: 'string', versions: '3+' },
          { name: 'groupInstanceId', type: 'string', versions: '3+', nullableVersions: '3+' },
          { name: 'errorCode', type: 'int16', versions: '3+' },
        ],
      },
    ],
  },
} as const satisfies ApiSpec;

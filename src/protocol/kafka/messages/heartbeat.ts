/** Heartbeat (12), from HeartbeatRequest/Response.json. v3+ static members (KIP-345). */
import type { ApiSpec } from '../schema';

export const Heartbeat = {
  name: 'Heartbeat',
  apiKey: 12,
  request: {
    name: 'HeartbeatRequest', apiKey: 12, validVersions: '0-4', flexibleVersions: '4+',
    fields: [
      { name: 'groupId', type: 'string', versions: '0+' },
      { name: 'generationId', type: 'int32', versions: '0+' },
      { name: 'memberId', type: 'string', versions: '0+' },
      { name: 'groupInstanceId', type: 'string', versions: '3+', nullableVersions: '3+', default: null },
    ],
  },
  response: {
    name: 'HeartbeatResponse', apiKey: 12, validVersions: '0-4', flexibleVersions: '4+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '1+' },
      { name: 'errorCode', type: 'int16', versions: '0+' },
    ],
  },
} as const satisfies ApiSpec;

/**
 * FindCoordinator (10), from FindCoordinatorRequest/Response.json. v1+ key type (0 group,
 * 1 transaction); v4+ batches several keys (KIP-699) and answers per key.
 */
import type { ApiSpec } from '../schema';

export const FindCoordinator = {
  name: 'FindCoordinator',
  apiKey: 10,
  request: {
    name: 'FindCoordinatorRequest', apiKey: 10, validVersions: '0-6', flexibleVersions: '3+',
    fields: [
      { name: 'key', type: 'string', versions: '0-3' },
      { name: 'keyType', type: 'int8', versions: '1+', default: 0 },
      { name: 'coordinatorKeys', type: '[]string', versions: '4+' },
    ],
  },
  response: {
    name: 'FindCoordinatorResponse', apiKey: 10, validVersions: '0-6', flexibleVersions: '3+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '1+' },
      { name: 'errorCode', type: 'int16', versions: '0-3' },
      { name: 'errorMessage', type: 'string', versions: '1-3', nullableVersions: '1-3' },
      { name: 'nodeId', type: 'int32', versions: '0-3' },
      { name: 'host', type: 'string', versions: '0-3' },
      { name: 'port', type: 'int32', versions: '0-3' },
      {
        name: 'coordinators', type: '[]struct', versions: '4+', fields: [
          { name: 'key', type: 'string', versions: '4+' },
          { name: 'nodeId', type: 'int32', versions: '4+' },
          { name: 'host', type: 'string', versions: '4+' },
          { name: 'port', type: 'int32', versions: '4+' },
          { name: 'errorCode', type: 'int16', versions: '4+' },
          { name: 'errorMessage', type: 'string', versions: '4+', nullableVersions: '4+' },
        ],
      },
    ],
  },
} as const satisfies ApiSpec;

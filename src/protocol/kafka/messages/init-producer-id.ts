/**
 * InitProducerId (22), from InitProducerIdRequest/Response.json. v3+ lets a producer bump its
 * own epoch by sending its current id and epoch (KIP-360); -1/-1 otherwise.
 */
import type { ApiSpec } from '../schema';

export const InitProducerId = {
  name: 'InitProducerId',
  apiKey: 22,
  request: {
    name: 'InitProducerIdRequest', apiKey: 22, validVersions: '0-5', flexibleVersions: '2+',
    fields: [
      { name: 'transactionalId', type: 'string', versions: '0+', nullableVersions: '0+' },
      { name: 'transactionTimeoutMs', type: 'int32', versions: '0+' },
      { name: 'producerId', type: 'int64', versions: '3+', default: -1 },
      { name: 'producerEpoch', type: 'int16', versions: '3+', default: -1 },
    ],
  },
  response: {
    name: 'InitProducerIdResponse', apiKey: 22, validVersions: '0-5', flexibleVersions: '2+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
      { name: 'errorCode', type: 'int16', versions: '0+' },
      { name: 'producerId', type: 'int64', versions: '0+', default: -1 },
      { name: 'producerEpoch', type: 'int16', versions: '0+' },
    ],
  },
} as const satisfies ApiSpec;

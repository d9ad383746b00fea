/** ApiVersions (18), from ApiVersionsRequest/Response.json. KIP-511 adds the v3 client software fields. */
import type { ApiSpec } from '../schema';

export const ApiVersions = {
  name: 'ApiVersions',
  apiKey: 18,
  request: {
    name: 'ApiVersionsRequest', apiKey: 18, validVersions: '0-4', flexibleVersions: '3+',
    fields: [
      { name: 'clientSoftwareName', type: 'string', versions: '3+' },
      { name: 'clientSoftwareVersion', type: 'string', versions: '3+' },
    ],
  },
  response: {
    name: 'ApiVersionsResponse', apiKey: 18, validVersions: '0-4', flexibleVersions: '3+',
    fields: [
      { name: 'errorCode', type: 'int16', versions: '0+' },
      {
        name: 'apiKeys', type: '[]struct', versions: '0+', fields: [
          { name: 'apiKey', type: 'int16', versions: '0+' },
          { name: 'minVersion', type: 'int16', versions: '0+' },
          { name: 'maxVersion', type: 'int16', versions: '0+' },
        ],
      },
      // Throttle time comes after the api keys here (and in Produce), unlike most responses.
      { name: 'throttleTimeMs', type: 'int32', versions: '1+' },
      {
        name: 'supportedFeatures', type: '[]struct', versions: '3+', taggedVersions: '3+', tag: 0, fields: [
          { name: 'name', type: 'string', versions: '3+' },
          { name: 'minVersion', type: 'int16', versions: '3+' },
          { name: 'maxVersion', type: 'int16', versions: '3+' },
        ],
      },
      { name: 'finalizedFeaturesEpoch', type: 'int64', versions: '3+', taggedVersions: '3+', tag: 1, default: -1 },
      {
        name: 'finalizedFeatures', type: '[]struct', versions: '3+', taggedVersions: '3+', tag: 2, fields: [
          { name: 'name', type: 'string', versions: '3+' },
          { name: 'maxVersionLevel', type: 'int16', versions: '3+' },
          { name: 'minVersionLevel', type: 'int16', versions: '3+' },
        ],
      },
      { name: 'zkMigrationReady', type: 'bool', versions: '3+', taggedVersions: '3+', tag: 3, default: false },
    ],
  },
} as const satisfies ApiSpec;

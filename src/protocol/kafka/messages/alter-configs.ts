/**
 * AlterConfigs (33) and IncrementalAlterConfigs (44, KIP-339), from their Request/Response.json.
 * Both answer with the same per-resource result; IncrementalAlterConfigs adds an operation per
 * config (0 SET, 1 DELETE, 2 APPEND, 3 SUBTRACT).
 */
import type { ApiSpec } from '../schema';

const resourceResponses = [
  { name: 'errorCode', type: 'int16', versions: '0+' },
  { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
  { name: 'resourceType', type: 'int8', versions: '0+' },
  { name: 'resourceName', type: 'string', versions: '0+' },
] as const;

export const AlterConfigs = {
  name: 'AlterConfigs',
  apiKey: 33,
  request: {
    name: 'AlterConfigsRequest', apiKey: 33, validVersions: '0-2', flexibleVersions: '2+',
    fields: [
      {
        name: 'resources', type: '[]struct', versions: '0+', fields: [
          { name: 'resourceType', type: 'int8', versions: '0+' },
          { name: 'resourceName', type: 'string', versions: '0+' },
          {
            name: 'configs', type: '[]struct', versions: '0+', fields: [
              { name: 'name', type: 'string', versions: '0+' },
              { name: 'value', type: 'string', versions: '0+', nullableVersions: '0+' },
            ],
          },
        ],
      },
      { name: 'validateOnly', type: 'bool', versions: '0+' },
    ],
  },
  response: {
    name: 'AlterConfigsResponse', apiKey: 33, validVersions: '0-2', flexibleVersions: '2+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
      { name: 'responses', type: '[]struct', versions: '0+', fields: resourceResponses },
    ],
  },
} as const satisfies ApiSpec;

export const IncrementalAlterConfigs = {
  name: 'IncrementalAlterConfigs',
  apiKey: 44,
  request: {
    name: 'IncrementalAlterConfigsRequest', apiKey: 44, validVersions: '0-1', flexibleVersions: '1+',
    fields: [
      {
        name: 'resources', type: '[]struct', versions: '0+', fields: [
          { name: 'resourceType', type: 'int8', versions: '0+' },
          { name: 'resourceName', type: 'string', versions: '0+' },
          {
            name: 'configs', type: '[]struct', versions: '0+', fields: [
              { name: 'name', type: 'string', versions: '0+' },
              { name: 'configOperation', type: 'int8', versions: '0+' },
              { name: 'value', type: 'string', versions: '0+', nullableVersions: '0+' },
            ],
          },
        ],
      },
      { name: 'validateOnly', type: 'bool', versions: '0+' },
    ],
  },
  response: {
    name: 'IncrementalAlterConfigsResponse', apiKey: 44, validVersions: '0-1', flexibleVersions: '1+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
      { name: 'responses', type: '[]struct', versions: '0+', fields: resourceResponses },
    ],
  },
} as const satisfies ApiSpec;

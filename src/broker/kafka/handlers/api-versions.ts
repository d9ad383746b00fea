/**
 * ApiVersions (18): the handler table itself, so the broker advertises exactly what it
 * implements, identically on every broker. The unsupported-version answer (error 35 in a v0
 * body, KIP-511) is produced by the dispatcher before any body is decoded.
 */
import type { HandlerRegistry, KafkaHandler } from '../handler';
import { ErrorCode } from '../error-codes';

export const API_VERSIONS_KEY = 18;

export function apiVersionsHandler(registry: HandlerRegistry): KafkaHandler {
  const respond = (errorCode: number) => ({
    errorCode,
    apiKeys: registry.versions(),
    throttleTimeMs: 0,
    supportedFeatures: [],
    finalizedFeaturesEpoch: -1n,
    finalizedFeatures: [],
    zkMigrationReady: false,
  });
  return {
    apiKey: API_VERSIONS_KEY,
    minVersion: 0,
    maxVersion: 4,
    handle: async () => respond(ErrorCode.NONE),
    errorResponse: (_request, errorCode) => respond(errorCode),
  };
}

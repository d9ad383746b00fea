/**
 * ApiVersions (18): the handler table itself, so the broker advertises exactly what it
 * implements, identically on every broker. The unsupported-version answer (error 35 in a v0
 * body, KIP-511) is produced by the dispatcher before any body is decoded.
 */
import type { HandlerRegistry, KafkaHandler } from '../handler';
import { ErrorCode } from '../error-codes';

export const API_VERSIONS_KEY = 18;

const PRODUCE_KEY = 0;

/**
 * Produce is advertised from version 0 although only v3+ is served (v0-v2 requests still get
 * UNSUPPORTED_VERSION from the dispatcher): librdkafka up to 2.11 decides that a broker supports
 * gzip, snappy and lz4 only if its Produce range includes v0, and otherwise silently sends
 * those batches uncompressed (librdkafka#4956). Apache Kafka 4.0 does the same (KAFKA-18659).
 * Clients pick the highest version both sides support, so none ever sends v0-v2 because of it.
 */
function advertised(versions: Array<{ apiKey: number; minVersion: number; maxVersion: number }>) {
  return versions.map((v) => (v.apiKey === PRODUCE_KEY ? { ...v, minVersion: 0 } : v));
}

export function apiVersionsHandler(registry: HandlerRegistry): KafkaHandler {
  const respond = (errorCode: number) => ({
    errorCode,
    apiKeys: advertised(registry.versions()),
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

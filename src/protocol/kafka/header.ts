/**
 * Request and response headers. Request header v1: api key, api version, correlation id and a
 * client id that stays a classic nullable string even in v2, which only adds tagged fields
 * (KIP-482). Response header v0 is the correlation id; v1 adds tagged fields. A flexible request
 * version uses header v2 / response header v1, except that the ApiVersions response header is
 * always v0 (KIP-511: a client that does not know the broker's versions must parse it).
 */
import type { Reader } from '../primitives/reader';
import type { Writer } from '../primitives/writer';
import { ApiKey } from './api-keys';
import { skipTaggedFields } from './codec';
import { apiSpecByKey } from './messages';
import { isFlexible } from './schema';

export interface RequestHeader {
  readonly requestApiKey: number;
  readonly requestApiVersion: number;
  readonly correlationId: number;
  readonly clientId: string | null;
}

export type RequestHeaderVersion = 1 | 2;
export type ResponseHeaderVersion = 0 | 1;

/**
 * The request header version of (apiKey, version), from the description's flexibleVersions. A
 * version above the described range counts as flexible when the range's flexible versions are
 * open-ended (Kafka does the same, which lets a newer client's ApiVersions be answered). Null for
 * an api key that is not described.
 */
export function requestHeaderVersion(apiKey: number, apiVersion: number): RequestHeaderVersion | null {
  const api = apiSpecByKey(apiKey);
  if (!api) return null;
  return isFlexible(api.request, apiVersion) ? 2 : 1;
}

export function responseHeaderVersion(apiKey: number, apiVersion: number): ResponseHeaderVersion {
  if (apiKey === ApiKey.ApiVersions) return 0;
  const api = apiSpecByKey(apiKey);
  return api && isFlexible(api.response, apiVersion) ? 1 : 0;
}

/** Reads a request header, including its tagged fields when the version has them. */
export function readRequestHeader(reader: Reader): RequestHeader {
  const requestApiKey = reader.readInt16();
  const requestApiVersion = reader.readInt16();
  const correlationId = reader.readInt32();
  const clientId = reader.readNullableString();
  if (requestHeaderVersion(requestApiKey, requestApiVersion) === 2) skipTaggedFields(reader);
  return { requestApiKey, requestApiVersion, correlationId, clientId };
}

export function writeRequestHeader(writer: Writer, header: RequestHeader): void {
  writer.writeInt16(header.requestApiKey).writeInt16(header.requestApiVersion).writeInt32(header.correlationId);
  writer.writeNullableString(header.clientId);
  if (requestHeaderVersion(header.requestApiKey, header.requestApiVersion) === 2) writer.writeUnsignedVarInt(0);
}

export function readResponseHeader(reader: Reader, version: ResponseHeaderVersion): { correlationId: number } {
  const correlationId = reader.readInt32();
  if (version === 1) skipTaggedFields(reader);
  return { correlationId };
}

export function writeResponseHeader(writer: Writer, correlationId: number, version: ResponseHeaderVersion): void {
  writer.writeInt32(correlationId);
  if (version === 1) writer.writeUnsignedVarInt(0);
}

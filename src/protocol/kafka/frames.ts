/**
 * Whole Kafka messages: header plus body. A request frame here is the bytes after the int32
 * size prefix (the broker's framing strips it); a response is returned as frame chunks,
 * size prefix included, ready to write.
 */
import { Reader } from '../primitives/reader';
import { Writer } from '../primitives/writer';
import { ApiKey } from './api-keys';
import { checkVersion, decodeMessage, encodeMessage, UnsupportedVersionError } from './codec';
import { readRequestHeader, readResponseHeader, responseHeaderVersion, writeRequestHeader, writeResponseHeader, type RequestHeader } from './header';
import { apiSpecByKey } from './messages';
import type { ApiSpec, MessageInput, MessageOf, RequestInput, ResponseInput } from './schema';
import { ApiVersions } from './messages/api-versions';
import { ErrorCode } from './error-codes';

/** An api key this codec has no description for. */
export class UnknownApiKeyError extends Error {
  constructor(readonly apiKey: number, readonly header: RequestHeader) {
    super(`unknown api key ${apiKey}`);
    this.name = 'UnknownApiKeyError';
  }
}

export interface DecodedRequest {
  readonly header: RequestHeader;
  readonly api: ApiSpec;
  /** The request body as plain objects (narrow it with RequestOf<typeof Api>). */
  readonly body: Record<string, unknown>;
}

/**
 * Decodes a request frame. Throws DecodeError for bytes that do not parse, UnknownApiKeyError,
 * or UnsupportedVersionError carrying the header (for ApiVersions, see
 * isUnsupportedApiVersionsRequest and encodeUnsupportedApiVersionsResponse, KIP-511). Trailing bytes after the body are ignored, as
 * Kafka does, so a newer client's extra fields cannot break an older version's parse.
 */
export function decodeRequest(frame: Buffer): DecodedRequest {
  const reader = new Reader(frame);
  const header = readRequestHeader(reader);
  const api = apiSpecByKey(header.requestApiKey);
  if (!api) throw new UnknownApiKeyError(header.requestApiKey, header);
  checkVersion(api.request, header.requestApiVersion, header);
  const body = decodeMessage(api.request, header.requestApiVersion, reader) as Record<string, unknown>;
  return { header, api, body };
}

/** A response frame (size prefix, header chosen by responseHeaderVersion, body) as chunks. */
export function encodeResponse<A extends ApiSpec>(api: A, version: number, correlationId: number, body: ResponseInput<A>): Buffer[] {
  const writer = new Writer();
  writeResponseHeader(writer, correlationId, responseHeaderVersion(api.apiKey, version));
  encodeMessage(api.response, version, body as MessageInput<A['response']>, writer);
  return writer.toFrame();
}

/**
 * KIP-511: an ApiVersions request in a version the broker does not know is answered with a
 * v0 header and a v0 body carrying UNSUPPORTED_VERSION and the supported ranges, which every
 * client version can parse; the client then retries with a version from that table.
 */
export function encodeUnsupportedApiVersionsResponse(
  correlationId: number,
  apiKeys: ReadonlyArray<{ apiKey: number; minVersion: number; maxVersion: number }>,
): Buffer[] {
  return encodeResponse(ApiVersions, 0, correlationId, { errorCode: ErrorCode.UNSUPPORTED_VERSION, apiKeys: [...apiKeys] });
}

/** True for the error decodeRequest throws on an ApiVersions request in an unknown version. */
export function isUnsupportedApiVersionsRequest(err: unknown): err is UnsupportedVersionError & { header: RequestHeader } {
  return err instanceof UnsupportedVersionError && err.header?.requestApiKey === ApiKey.ApiVersions;
}

/** A request frame as chunks (for clients and tests). */
export function encodeRequest<A extends ApiSpec>(api: A, header: RequestHeader, body: RequestInput<A>): Buffer[] {
  const writer = new Writer();
  writeRequestHeader(writer, header);
  encodeMessage(api.request, header.requestApiVersion, body as MessageInput<A['request']>, writer);
  return writer.toFrame();
}

/** Decodes a response frame (without its size prefix) of a known api and version. */
export function decodeResponse<A extends ApiSpec>(api: A, version: number, frame: Buffer): { correlationId: number; body: MessageOf<A['response']> } {
  const reader = new Reader(frame);
  const { correlationId } = readResponseHeader(reader, responseHeaderVersion(api.apiKey, version));
  checkVersion(api.response, version);
  return { correlationId, body: decodeMessage(api.response, version, reader) };
}

/**
 * The one generic codec: reads and writes any version of any described message (schema.ts),
 * through a reader and writer compiled once per description and version (codec-compile.ts).
 * Flexible versions (KIP-482) use compact lengths (unsigned varint N+1, 0 = null) and end
 * every struct with tagged fields; older versions use int16/int32 lengths (-1 = null).
 * Fields absent in a version are skipped on write and take their default on read; records stay
 * raw Buffers (views into the request frame).
 */
import type { Reader } from '../primitives/reader';
import type { Writer } from '../primitives/writer';
import { compiledFor } from './codec-compile';
import { planFor } from './codec-plan';
import { inVersions, isFlexible, type MessageInput, type MessageOf, type MessageSpec } from './schema';

/** A request or response version outside the description's validVersions. */
export class UnsupportedVersionError extends Error {
  /** Set when the version came from a request header (decodeRequest). */
  readonly header?: { readonly requestApiKey: number; readonly requestApiVersion: number; readonly correlationId: number; readonly clientId: string | null };

  constructor(readonly spec: string, readonly version: number, header?: UnsupportedVersionError['header']) {
    super(`${spec} does not support version ${version}`);
    this.name = 'UnsupportedVersionError';
    this.header = header;
  }
}

export function checkVersion(spec: MessageSpec, version: number, header?: UnsupportedVersionError['header']): void {
  if (!Number.isInteger(version) || !inVersions(spec.validVersions, version)) {
    throw new UnsupportedVersionError(spec.name, version, header);
  }
}

export function decodeMessage<M extends MessageSpec>(spec: M, version: number, reader: Reader): MessageOf<M> {
  checkVersion(spec, version);
  return compiledFor(planFor(spec.fields, version, isFlexible(spec, version)), version, spec.name).read(reader) as MessageOf<M>;
}

export function encodeMessage<M extends MessageSpec>(spec: M, version: number, value: MessageInput<M>, writer: Writer): Writer {
  checkVersion(spec, version);
  compiledFor(planFor(spec.fields, version, isFlexible(spec, version)), version, spec.name).write(value as Record<string, unknown>, writer);
  return writer;
}

const NO_FIELDS: readonly never[] = [];

/** Reads a tagged-field section whose tags are all unknown (request and response headers define none yet). */
export function skipTaggedFields(reader: Reader): void {
  compiledFor(planFor(NO_FIELDS, 0, true), 0, 'header').read(reader);
}

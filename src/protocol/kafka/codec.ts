/**
 * The one generic codec: reads and writes any version of any described message (schema.ts).
 * Flexible versions (KIP-482) use compact lengths (unsigned varint N+1, 0 = null) and end
 * every struct with tagged fields; older versions use int16/int32 lengths (-1 = null).
 * Fields absent in a version are skipped on write and take their default on read; records stay
 * raw Buffers (views into the request frame).
 */
import { DecodeError, EncodeError } from '../primitives/decode-error';
import { Reader } from '../primitives/reader';
import { Writer } from '../primitives/writer';
import { defaultOf, isDefault, planFor, type Plan, type Step, type ValueKind } from './codec-plan';
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
  return readStruct(planFor(spec.fields, version, isFlexible(spec, version)), version, reader) as MessageOf<M>;
}

export function encodeMessage<M extends MessageSpec>(spec: M, version: number, value: MessageInput<M>, writer: Writer): Writer {
  checkVersion(spec, version);
  writeStruct(planFor(spec.fields, version, isFlexible(spec, version)), version, value as Record<string, unknown>, writer, spec.name);
  return writer;
}

function readStruct(plan: Plan, version: number, reader: Reader): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of plan.fields) out[field.name] = undefined;
  for (const step of plan.fixed) out[step.name] = readField(step, plan.flexible, version, reader);
  if (plan.flexible) readTaggedFields(plan, version, reader, out);
  for (const field of plan.fields) {
    if (out[field.name] === undefined) out[field.name] = defaultOf(field, version);
  }
  return out;
}

const NO_FIELDS: readonly never[] = [];

/** Reads a tagged-field section whose tags are all unknown (request and response headers define none yet). */
export function skipTaggedFields(reader: Reader): void {
  readTaggedFields(planFor(NO_FIELDS, 0, true), 0, reader, {});
}

function readTaggedFields(plan: Plan, version: number, reader: Reader, out: Record<string, unknown>): void {
  const count = reader.readUnsignedVarInt();
  let previousTag = -1;
  for (let i = 0; i < count; i++) {
    const tag = reader.readUnsignedVarInt();
    if (tag <= previousTag) throw new DecodeError(`tagged field ${tag} out of order`, reader.offset);
    previousTag = tag;
    const size = reader.readUnsignedVarInt();
    const body = reader.readRaw(size);
    const step = plan.taggedByTag.get(tag);
    // Unknown tags are skipped: that is what makes tagged fields forward compatible (KIP-482).
    if (!step) continue;
    const inner = new Reader(body);
    out[step.name] = readField(step, true, version, inner);
    if (inner.remaining() !== 0) throw new DecodeError(`tagged field ${step.name} has ${inner.remaining()} trailing bytes`, reader.offset);
  }
}

function readField(step: Step, flexible: boolean, version: number, reader: Reader): unknown {
  if (!step.array) return readValue(step, step.kind, flexible, version, reader, step.nullable);
  const length = flexible
    ? (step.nullable ? reader.readCompactNullableArrayLength() : reader.readCompactArrayLength())
    : (step.nullable ? reader.readNullableArrayLength() : reader.readArrayLength());
  if (length === null) return null;
  const items = new Array<unknown>(length);
  for (let i = 0; i < length; i++) items[i] = readValue(step, step.kind, flexible, version, reader, false);
  return items;
}

function readValue(step: Step, kind: ValueKind, flexible: boolean, version: number, r: Reader, nullable: boolean): unknown {
  switch (kind) {
    case 'int8': return r.readInt8();
    case 'int16': return r.readInt16();
    case 'int32': return r.readInt32();
    case 'int64': return r.readInt64();
    case 'uint16': return r.readUInt16();
    case 'uint32': return r.readUInt32();
    case 'float64': return r.readFloat64();
    case 'bool': return r.readBoolean();
    case 'uuid': return r.readUuid();
    case 'string':
      if (flexible) return nullable ? r.readCompactNullableString() : r.readCompactString();
      return nullable ? r.readNullableString() : r.readString();
    case 'bytes':
    case 'records':
      if (flexible) return nullable ? r.readCompactNullableBytes() : r.readCompactBytes();
      return nullable ? r.readNullableBytes() : r.readBytes();
    case 'struct':
      // A nullable struct is preceded by a presence byte: -1 null, 1 present (Kafka's generator).
      if (nullable && r.readInt8() < 0) return null;
      return readStruct(step.plan!, version, r);
  }
}

function writeStruct(plan: Plan, version: number, value: Record<string, unknown>, w: Writer, path: string): void {
  if (value === null || typeof value !== 'object') throw new EncodeError(`${path} must be an object`);
  for (const step of plan.fixed) writeField(step, plan.flexible, version, fieldValue(step, value, version), w, `${path}.${step.name}`);
  if (!plan.flexible) return;
  const present = plan.tagged.filter((step) => !isDefault(step.field, value[step.name], version));
  w.writeUnsignedVarInt(present.length);
  for (const step of present) {
    const inner = new Writer();
    writeField(step, true, version, value[step.name], inner, `${path}.${step.name}`);
    const body = inner.toBuffer();
    w.writeUnsignedVarInt(step.tag).writeUnsignedVarInt(body.length).writeRaw(body);
  }
}

function fieldValue(step: Step, value: Record<string, unknown>, version: number): unknown {
  const given = value[step.name];
  return given === undefined ? defaultOf(step.field, version) : given;
}

function writeField(step: Step, flexible: boolean, version: number, value: unknown, w: Writer, path: string): void {
  if (value === null && !step.nullable) throw new EncodeError(`${path} is null but not nullable in this version`);
  if (!step.array) {
    writeValue(step, flexible, version, value, w, path);
    return;
  }
  if (value !== null && !Array.isArray(value)) throw new EncodeError(`${path} must be an array`);
  const items = value as unknown[] | null;
  const length = items === null ? null : items.length;
  if (flexible) w.writeCompactNullableArrayLength(length);
  else w.writeNullableArrayLength(length);
  if (items === null) return;
  const itemStep: Step = { ...step, nullable: false, array: false };
  for (let i = 0; i < items.length; i++) writeValue(itemStep, flexible, version, items[i], w, `${path}[${i}]`);
}

function writeValue(step: Step, flexible: boolean, version: number, v: unknown, w: Writer, path: string): void {
  if (v === undefined) throw new EncodeError(`${path} is missing`);
  if (v === null && !step.nullable) throw new EncodeError(`${path} is null but not nullable in this version`);
  switch (step.kind) {
    case 'int8': w.writeInt8(v as number); return;
    case 'int16': w.writeInt16(v as number); return;
    case 'int32': w.writeInt32(v as number); return;
    case 'int64': w.writeInt64(typeof v === 'bigint' ? v : BigInt(v as number)); return;
    case 'uint16': w.writeUInt16(v as number); return;
    case 'uint32': w.writeUInt32(v as number); return;
    case 'float64': w.writeFloat64(v as number); return;
    case 'bool': w.writeBoolean(v as boolean); return;
    case 'uuid': w.writeUuid(v as string); return;
    case 'string':
      if (flexible) w.writeCompactNullableString(v as string | null);
      else w.writeNullableString(v as string | null);
      return;
    case 'bytes':
    case 'records':
      if (flexible) w.writeCompactNullableBytes(v as Buffer | null);
      else w.writeNullableBytes(v as Buffer | null);
      return;
    case 'struct':
      if (step.nullable) {
        w.writeInt8(v === null ? -1 : 1);
        if (v === null) return;
      }
      writeStruct(step.plan!, version, v as Record<string, unknown>, w, path);
  }
}

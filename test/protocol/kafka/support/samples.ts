/**
 * Sample messages generated from a description: every field gets a non-default value derived
 * from a seed, and `expected` is what a decode of that version must return (fields absent in
 * the version take their defaults).
 */
import { defaultOf } from '../../../../src/protocol/kafka/codec-plan';
import { inVersions, isFlexible, type FieldSpec, type MessageSpec, type PrimitiveType } from '../../../../src/protocol/kafka/schema';

function primitive(type: PrimitiveType, seed: number): unknown {
  switch (type) {
    case 'int8': return (seed % 100) + 1;
    case 'int16': return seed + 2;
    case 'int32': return seed * 1000 + 3;
    case 'uint16': return 60000 + seed;
    case 'uint32': return 4000000000 + seed;
    case 'int64': return BigInt(seed) * 10_000_000_000n + 5n;
    case 'float64': return seed + 0.5;
    case 'bool': return seed % 2 === 0;
    case 'string': return `s${seed}-ü`;
    case 'uuid': return `${String(seed).padStart(8, '0')}-0000-4000-8000-00000000000a`;
    case 'bytes':
    case 'records': return Buffer.from([seed & 0xff, 1, 2, 3]);
  }
}

function present(field: FieldSpec, version: number, flexible: boolean): boolean {
  if (!inVersions(field.versions, version)) return false;
  return field.taggedVersions === undefined || (flexible && inVersions(field.taggedVersions, version));
}

/** Real, non-fatal error codes, so that clients' decoders accept the samples. */
const ERROR_CODES = [3, 5, 6, 14, 15, 16, 22, 25, 27];

function sampleField(field: FieldSpec, version: number, flexible: boolean, seed: number): { input: unknown; expected: unknown } {
  if (field.name === 'errorCode' && field.type === 'int16') {
    const code = ERROR_CODES[seed % ERROR_CODES.length];
    return { input: code, expected: code };
  }
  const array = field.type.startsWith('[]');
  const kind = array ? field.type.slice(2) : field.type;
  const one = (s: number) => (kind === 'struct'
    ? sampleStruct(field.fields ?? [], version, flexible, s)
    : { input: primitive(kind as PrimitiveType, s), expected: primitive(kind as PrimitiveType, s) });
  if (!array) return one(seed);
  const items = [one(seed + 1), one(seed + 2)];
  return { input: items.map((i) => i.input), expected: items.map((i) => i.expected) };
}

export function sampleStruct(fields: readonly FieldSpec[], version: number, flexible: boolean, seed: number) {
  const input: Record<string, unknown> = {};
  const expected: Record<string, unknown> = {};
  fields.forEach((field, i) => {
    const s = seed * 7 + i;
    const nullHere = inVersions(field.nullableVersions, version) && s % 3 === 0;
    const sample = nullHere ? { input: null, expected: null } : sampleField(field, version, flexible, s);
    input[field.name] = sample.input;
    expected[field.name] = present(field, version, flexible) ? sample.expected : defaultOf(field, version);
  });
  return { input, expected };
}

export function sampleMessage(spec: MessageSpec, version: number, seed = 1) {
  return sampleStruct(spec.fields, version, isFlexible(spec, version), seed);
}

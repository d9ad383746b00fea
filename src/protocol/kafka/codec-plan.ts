/**
 * Resolves a struct's field list, for one version, into the steps the codec runs: which fields
 * are on the wire in order, which travel as tagged fields, and which only take their default.
 * Plans are cached per field list and version; codec-compile.ts turns each into code once.
 */
import { inVersions, type DefaultValue, type FieldSpec, type PrimitiveType } from './schema';

export type ValueKind = PrimitiveType | 'struct';

export interface Step {
  readonly name: string;
  readonly kind: ValueKind;
  readonly nullable: boolean;
  readonly tag: number;
  /** Sub-plan of a struct or struct array, same version. */
  readonly plan: Plan | null;
  readonly field: FieldSpec;
  /** For an array: how each element is written (never null, not an array). */
  readonly item: Step | null;
  /** The field's default, shared: compare or write it, never hand it out to be mutated. */
  readonly defaultValue: unknown;
}

export interface Plan {
  readonly flexible: boolean;
  /** Fields in wire order (non-tagged). */
  readonly fixed: readonly Step[];
  /** Tagged fields sorted by tag (KIP-482 requires ascending tags). */
  readonly tagged: readonly Step[];
  /** Every field of the struct, in description order (the order of decoded objects). */
  readonly fields: readonly FieldSpec[];
  /** Fields not on the wire in this version, by name: they only take their default. */
  readonly absent: ReadonlyMap<string, Step>;
}

const ZERO_UUID = '00000000-0000-0000-0000-000000000000';
const EMPTY = Buffer.alloc(0);
const cache = new WeakMap<readonly FieldSpec[], Map<string, Plan>>();

export function planFor(fields: readonly FieldSpec[], version: number, flexible: boolean): Plan {
  let byVersion = cache.get(fields);
  if (!byVersion) {
    byVersion = new Map();
    cache.set(fields, byVersion);
  }
  const key = `${version}${flexible ? 'f' : ''}`;
  let plan = byVersion.get(key);
  if (!plan) {
    plan = compile(fields, version, flexible);
    byVersion.set(key, plan);
  }
  return plan;
}

function compile(fields: readonly FieldSpec[], version: number, flexible: boolean): Plan {
  const fixed: Step[] = [];
  const tagged: Step[] = [];
  const absent = new Map<string, Step>();
  for (const field of fields) {
    const isTagged = flexible && inVersions(field.taggedVersions, version);
    const onWire = inVersions(field.versions, version) && (field.taggedVersions === undefined || isTagged);
    const array = field.type.startsWith('[]');
    const kind = (array ? field.type.slice(2) : field.type) as ValueKind;
    const base = {
      name: field.name,
      kind,
      tag: field.tag ?? -1,
      plan: kind === 'struct' ? planFor(field.fields ?? [], version, flexible) : null,
      field,
      defaultValue: defaultOf(field, version),
    };
    const item: Step | null = array ? { ...base, nullable: false, item: null } : null;
    const step: Step = { ...base, nullable: inVersions(field.nullableVersions, version), item };
    if (!onWire) absent.set(field.name, step);
    else if (isTagged) {
      if (field.tag === undefined) throw new Error(`tagged field ${field.name} has no tag`);
      tagged.push(step);
    } else fixed.push(step);
  }
  tagged.sort((a, b) => a.tag - b.tag);
  return { flexible, fixed, tagged, fields, absent };
}

/** The value a field takes when it is not on the wire in a version (Kafka's generated defaults). */
export function defaultOf(field: FieldSpec, version: number): unknown {
  if (field.type.startsWith('[]')) return field.default === null ? null : [];
  if (field.type === 'struct') return field.default === null ? null : defaultStruct(field.fields ?? [], version);
  return primitiveDefault(field.type as PrimitiveType, field.default);
}

function primitiveDefault(type: PrimitiveType, given: DefaultValue | undefined): unknown {
  if (given === null) return null;
  switch (type) {
    case 'int64': return BigInt(given ?? 0);
    case 'bool': return given ?? false;
    case 'string': return given ?? '';
    case 'uuid': return given ?? ZERO_UUID;
    case 'bytes':
    case 'records': return EMPTY;
    default: return Number(given ?? 0);
  }
}

export function defaultStruct(fields: readonly FieldSpec[], version: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of fields) out[field.name] = defaultOf(field, version);
  return out;
}

/** True when a value equals the field's default (tagged fields at their default are not written). */
export function isDefault(step: Step, value: unknown): boolean {
  return value === undefined || sameValue(value, step.defaultValue);
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Buffer.isBuffer(a) || Buffer.isBuffer(b)) return Buffer.isBuffer(a) && Buffer.isBuffer(b) && a.equals(b);
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => sameValue(x, b[i]));
  }
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  return Object.keys(rb).every((k) => ra[k] === undefined || sameValue(ra[k], rb[k]));
}

/**
 * Compiles a struct's field list, for one version, into the steps the codec runs: which fields
 * are on the wire in order, which travel as tagged fields, and which only take their default.
 * Plans are cached per field list and version, so a description is interpreted once.
 */
import { inVersions, type DefaultValue, type FieldSpec, type PrimitiveType } from './schema';

export type ValueKind = PrimitiveType | 'struct';

export interface Step {
  readonly name: string;
  readonly kind: ValueKind;
  readonly array: boolean;
  readonly nullable: boolean;
  readonly tag: number;
  /** Sub-plan of a struct or struct array, same version. */
  readonly plan: Plan | null;
  readonly field: FieldSpec;
}

export interface Plan {
  readonly flexible: boolean;
  /** Fields in wire order (non-tagged). */
  readonly fixed: readonly Step[];
  /** Tagged fields sorted by tag (KIP-482 requires ascending tags). */
  readonly tagged: readonly Step[];
  readonly taggedByTag: ReadonlyMap<number, Step>;
  /** Every field of the struct, for defaults. */
  readonly fields: readonly FieldSpec[];
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
  for (const field of fields) {
    if (!inVersions(field.versions, version)) continue;
    const isTagged = flexible && inVersions(field.taggedVersions, version);
    if (field.taggedVersions !== undefined && !isTagged) continue;
    const array = field.type.startsWith('[]');
    const kind = (array ? field.type.slice(2) : field.type) as ValueKind;
    const step: Step = {
      name: field.name,
      kind,
      array,
      nullable: inVersions(field.nullableVersions, version),
      tag: field.tag ?? -1,
      plan: kind === 'struct' ? planFor(field.fields ?? [], version, flexible) : null,
      field,
    };
    if (isTagged) {
      if (field.tag === undefined) throw new Error(`tagged field ${field.name} has no tag`);
      tagged.push(step);
    } else fixed.push(step);
  }
  tagged.sort((a, b) => a.tag - b.tag);
  return { flexible, fixed, tagged, taggedByTag: new Map(tagged.map((s) => [s.tag, s])), fields };
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
export function isDefault(field: FieldSpec, value: unknown, version: number): boolean {
  return value === undefined || sameValue(value, defaultOf(field, version));
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

/**
 * Compares messages across clients whose field names differ: every scalar a message carries
 * becomes a string, and each of ours must appear among theirs (as a multiset).
 */
import { inVersions, type FieldSpec } from '../../../../src/protocol/kafka/schema';

const leaf = (v: unknown) => (Buffer.isBuffer(v) ? `b:${v.toString('hex')}` : String(v));

export interface LeafOptions {
  /** Leave out tagged fields (clients that read and discard them). */
  readonly skipTagged?: boolean;
  /** Field names a client reads but does not return. */
  readonly skipNames?: readonly string[];
}

/** Scalars of the fields a version carries (records excluded: clients decode those into messages). */
export function ourLeaves(
  fields: readonly FieldSpec[], version: number, flexible: boolean, value: Record<string, unknown>,
  options: LeafOptions = {}, out: string[] = [],
): string[] {
  for (const field of fields) {
    if (!inVersions(field.versions, version) || field.type === 'records' || options.skipNames?.includes(field.name)) continue;
    if (field.taggedVersions !== undefined && (options.skipTagged || !(flexible && inVersions(field.taggedVersions, version)))) continue;
    const v = value[field.name];
    for (const item of Array.isArray(v) ? v : [v]) {
      if (item === null || item === undefined) continue;
      if (field.fields) ourLeaves(field.fields, version, flexible, item as Record<string, unknown>, options, out);
      else out.push(leaf(item));
    }
  }
  return out;
}

/** Scalars anywhere in a client's decoded object, skipping the keys given (decoded records). */
export function theirLeaves(value: unknown, skipKeys: readonly string[], out: string[] = []): string[] {
  if (value === null || value === undefined) return out;
  if (Buffer.isBuffer(value)) out.push(leaf(value));
  else if (Array.isArray(value)) value.forEach((v) => theirLeaves(v, skipKeys, out));
  else if (value instanceof Map) [...value.values()].forEach((v) => theirLeaves(v, skipKeys, out));
  else if (typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) if (!skipKeys.includes(key)) theirLeaves(v, skipKeys, out);
  } else out.push(leaf(value));
  return out;
}

/** Ours that are not among theirs. */
export function missingFrom(expected: string[], actual: string[]): string[] {
  const pool = new Map<string, number>();
  for (const a of actual) pool.set(a, (pool.get(a) ?? 0) + 1);
  return expected.filter((e) => {
    const n = pool.get(e) ?? 0;
    if (n === 0) return true;
    pool.set(e, n - 1);
    return false;
  });
}

/** Empties every `records` field: clients decode record sets, and samples carry arbitrary bytes there. */
export function emptyRecords(value: unknown): void {
  if (Array.isArray(value)) value.forEach(emptyRecords);
  else if (value && typeof value === 'object' && !Buffer.isBuffer(value)) {
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      if (key === 'records') record[key] = Buffer.alloc(0);
      else emptyRecords(record[key]);
    }
  }
}

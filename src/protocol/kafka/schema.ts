/**
 * The message description language: each Kafka request and response is described once, the
 * way apache/kafka's clients/src/main/resources/common/message/*.json do, and one codec
 * (codec.ts) reads and writes every version from it. Field names are the camelCase of the
 * schema names. The TypeScript type of a message is derived from its description (declare the
 * description `as const satisfies MessageSpec`), so a field is typed exactly once.
 */

/** Version ranges as in Kafka's JSON: "0+", "3-5", "7", "none". */
export type VersionRange = string;

export type PrimitiveType =
  | 'int8' | 'int16' | 'int32' | 'int64' | 'uint16' | 'uint32' | 'float64' | 'bool'
  | 'string' | 'bytes' | 'uuid' | 'records';

/** `records` is a nullable bytes blob of record batches, kept raw (never decoded by the codec). */
export type FieldType = PrimitiveType | `[]${PrimitiveType}` | 'struct' | '[]struct';

export type DefaultValue = number | bigint | string | boolean | null;

export interface FieldSpec {
  readonly name: string;
  readonly type: FieldType;
  /** Versions the field is on the wire; absent versions write nothing and read the default. */
  readonly versions: VersionRange;
  readonly nullableVersions?: VersionRange;
  /** Versions in which the field travels as a tagged field (KIP-482), with `tag`. */
  readonly taggedVersions?: VersionRange;
  readonly tag?: number;
  readonly default?: DefaultValue;
  /** Fields of a `struct` or `[]struct`. */
  readonly fields?: readonly FieldSpec[];
}

export interface MessageSpec {
  readonly name: string;
  readonly apiKey: number;
  readonly validVersions: VersionRange;
  /** Versions that use compact lengths and tagged fields (KIP-482). */
  readonly flexibleVersions: VersionRange;
  readonly fields: readonly FieldSpec[];
}

export interface ApiSpec {
  readonly name: string;
  readonly apiKey: number;
  readonly request: MessageSpec;
  readonly response: MessageSpec;
}

type PrimitiveValue<T> =
  T extends 'int64' ? bigint
    : T extends 'bool' ? boolean
      : T extends 'string' | 'uuid' ? string
        : T extends 'bytes' | 'records' ? Buffer
          : number;

type NullIn<F> = F extends { readonly nullableVersions: string } ? null : never;

type SubFields<F> = F extends { readonly fields: infer Fs extends readonly FieldSpec[] } ? Fs : readonly [];

type FieldValue<F extends FieldSpec> =
  F['type'] extends '[]struct' ? Array<StructOf<SubFields<F>>> | NullIn<F>
    : F['type'] extends 'struct' ? StructOf<SubFields<F>> | NullIn<F>
      : F['type'] extends `[]${infer P}` ? Array<PrimitiveValue<P>> | NullIn<F>
        : PrimitiveValue<F['type']> | NullIn<F>;

type FieldInput<F extends FieldSpec> =
  F['type'] extends '[]struct' ? Array<StructInput<SubFields<F>>> | NullIn<F>
    : F['type'] extends 'struct' ? StructInput<SubFields<F>> | NullIn<F>
      // Records to encode may be stored batches back to back: written without joining them.
      : F['type'] extends 'records' ? Buffer | readonly Buffer[] | NullIn<F>
        : FieldValue<F>;

/** A decoded struct: every field present (fields absent in the version hold their default). */
export type StructOf<Fs extends readonly FieldSpec[]> = { [F in Fs[number] as F['name']]: FieldValue<F> };

/** What the encoder accepts: any field may be left out and then takes its default. */
export type StructInput<Fs extends readonly FieldSpec[]> = { [F in Fs[number] as F['name']]?: FieldInput<F> };

export type MessageOf<M extends MessageSpec> = StructOf<M['fields']>;
export type MessageInput<M extends MessageSpec> = StructInput<M['fields']>;
export type RequestOf<A extends ApiSpec> = MessageOf<A['request']>;
export type ResponseOf<A extends ApiSpec> = MessageOf<A['response']>;
export type RequestInput<A extends ApiSpec> = MessageInput<A['request']>;
export type ResponseInput<A extends ApiSpec> = MessageInput<A['response']>;

export interface VersionBounds {
  readonly min: number;
  readonly max: number;
}

/** Parses "0+", "3-5", "7" or "none" (null). */
export function parseVersions(range: VersionRange): VersionBounds | null {
  if (range === 'none') return null;
  const plus = /^(\d+)\+$/.exec(range);
  if (plus) return { min: Number(plus[1]), max: Number.POSITIVE_INFINITY };
  const span = /^(\d+)(?:-(\d+))?$/.exec(range);
  if (!span) throw new Error(`bad version range "${range}"`);
  return { min: Number(span[1]), max: Number(span[2] ?? span[1]) };
}

const parsedRanges = new Map<VersionRange, VersionBounds | null>();

export function inVersions(range: VersionRange | undefined, version: number): boolean {
  if (range === undefined) return false;
  let bounds = parsedRanges.get(range);
  if (bounds === undefined) {
    bounds = parseVersions(range);
    parsedRanges.set(range, bounds);
  }
  return bounds !== null && version >= bounds.min && version <= bounds.max;
}

/** The [min, max] of a message's validVersions. */
export function validBounds(spec: MessageSpec): VersionBounds {
  const bounds = parseVersions(spec.validVersions);
  if (bounds === null || !Number.isFinite(bounds.max)) throw new Error(`${spec.name}: validVersions must be a closed range`);
  return bounds;
}

export function isFlexible(spec: MessageSpec, version: number): boolean {
  return inVersions(spec.flexibleVersions, version);
}

/**
 * Turns a struct's plan (codec-plan.ts) into a specialised reader and writer with `new Function`,
 * once per description and version. Generated code reads and writes fields by constant names, so
 * V8 sees monomorphic property accesses and builds every decoded struct with one object shape;
 * an interpreter walking the plan pays a megamorphic keyed lookup per field instead. The code is
 * generated only from the static descriptions in messages/, never from wire input.
 */
import { DecodeError, EncodeError } from '../primitives/decode-error';
import { Reader } from '../primitives/reader';
import { Writer } from '../primitives/writer';
import { defaultStruct, isDefault, type Plan, type Step } from './codec-plan';

export interface CompiledStruct {
  write(value: Record<string, unknown>, w: Writer): void;
  read(r: Reader): Record<string, unknown>;
}

/** What generated code calls: helpers and the per-step tables it closes over. */
interface Runtime {
  readonly steps: readonly Step[];
  readonly subs: ReadonlyArray<CompiledStruct | null>;
  readonly defaults: readonly unknown[];
  readonly Writer: typeof Writer;
  readonly Reader: typeof Reader;
  fail(struct: string, field: string, problem: string): never;
  failDecode(message: string, offset: number): never;
  isDefault(step: Step, value: unknown): boolean;
  defaultStruct(step: Step): Record<string, unknown>;
}

const compiled = new WeakMap<Plan, CompiledStruct>();

export function compiledFor(plan: Plan, version: number, structName: string): CompiledStruct {
  let done = compiled.get(plan);
  if (!done) {
    done = compile(plan, version, structName);
    compiled.set(plan, done);
  }
  return done;
}

const INT_WRITERS: Record<string, string> = {
  int8: 'writeInt8', int16: 'writeInt16', int32: 'writeInt32', uint16: 'writeUInt16', uint32: 'writeUInt32',
  float64: 'writeFloat64', bool: 'writeBoolean', uuid: 'writeUuid',
};
const INT_READERS: Record<string, string> = {
  int8: 'readInt8', int16: 'readInt16', int32: 'readInt32', uint16: 'readUInt16', uint32: 'readUInt32',
  float64: 'readFloat64', bool: 'readBoolean', uuid: 'readUuid', int64: 'readInt64',
};

/** Method suffix of a length-prefixed type: `CompactNullableString`, `Bytes`, ...; null for others. */
function lengthPrefixed(step: Step, flexible: boolean): string | null {
  if (step.kind !== 'string' && step.kind !== 'bytes' && step.kind !== 'records') return null;
  return `${flexible ? 'Compact' : ''}${step.nullable ? 'Nullable' : ''}${step.kind === 'string' ? 'String' : 'Bytes'}`;
}

/** Code writing `v` (an element when `step` is an array's item) to writer `w`. */
function emitWriteValue(step: Step, index: number, v: string, flexible: boolean): string {
  const field = JSON.stringify(step.name);
  const nullCheck = step.nullable ? '' : `if (${v} === null || ${v} === undefined) rt.fail(S, ${field}, 'is missing or null');`;
  const writer = INT_WRITERS[step.kind];
  if (writer) return `${nullCheck} w.${writer}(${v});`;
  if (step.kind === 'int64') return `${nullCheck} w.writeInt64(typeof ${v} === 'bigint' ? ${v} : BigInt(${v}));`;
  const prefixed = lengthPrefixed(step, flexible);
  // Records may be given as the stored batches back to back (Buffer[]): written by reference, never joined.
  if (prefixed && step.kind === 'records') return `${nullCheck} w.write${prefixed.replace('Bytes', 'Records')}(${v});`;
  if (prefixed) return `${nullCheck} w.write${prefixed}(${v});`;
  const sub = `rt.subs[${index}]`;
  if (step.nullable) return `if (${v} === null) w.writeInt8(-1); else { w.writeInt8(1); ${sub}.write(${v}, w); }`;
  return `${nullCheck} ${sub}.write(${v}, w);`;
}

function emitWriteField(step: Step, index: number, v: string, flexible: boolean): string {
  if (step.item === null) return emitWriteValue(step, index, v, flexible);
  const field = JSON.stringify(step.name);
  const length = flexible ? 'writeCompactNullableArrayLength' : 'writeNullableArrayLength';
  const onNull = step.nullable ? `w.${length}(null);` : `rt.fail(S, ${field}, 'is null but not nullable');`;
  const e = `e${index}`;
  return `if (${v} === null) { ${onNull} } else {
    if (!Array.isArray(${v})) rt.fail(S, ${field}, 'must be an array');
    w.${length}(${v}.length);
    for (const ${e} of ${v}) { ${emitWriteValue(step.item, index, e, flexible)} }
  }`;
}

function emitReadValue(step: Step, index: number, flexible: boolean): string {
  const reader = INT_READERS[step.kind];
  if (reader) return `r.${reader}()`;
  const prefixed = lengthPrefixed(step, flexible);
  if (prefixed) return `r.read${prefixed}()`;
  if (step.nullable) return `(r.readInt8() < 0 ? null : rt.subs[${index}].read(r))`;
  return `rt.subs[${index}].read(r)`;
}

function emitReadField(step: Step, index: number, target: string, flexible: boolean): string {
  if (step.item === null) return `${target} = ${emitReadValue(step, index, flexible)};`;
  const length = `r.read${flexible ? 'Compact' : ''}${step.nullable ? 'Nullable' : ''}ArrayLength()`;
  return `{ const n = ${length};
    if (n === null) ${target} = null;
    else { const a = new Array(n); for (let k = 0; k < n; k++) a[k] = ${emitReadValue(step.item, index, flexible)}; ${target} = a; } }`;
}

/** Code for a fresh default: arrays and structs are new objects, so callers may mutate them. */
function emitDefault(step: Step, index: number): string {
  if (step.defaultValue === null) return 'null';
  if (step.item !== null) return '[]';
  if (step.kind === 'struct') return `rt.defaultStruct(rt.steps[${index}])`;
  return `rt.defaults[${index}]`;
}

function emitWriter(plan: Plan, steps: readonly Step[]): string {
  const lines: string[] = [];
  plan.fixed.forEach((step) => {
    const i = steps.indexOf(step);
    lines.push(`{ let v = value[${JSON.stringify(step.name)}]; if (v === undefined) v = rt.defaults[${i}]; ${emitWriteField(step, i, 'v', plan.flexible)} }`);
  });
  if (plan.flexible) {
    lines.push('const tagged = [];');
    plan.tagged.forEach((step) => {
      const i = steps.indexOf(step);
      lines.push(`{ const v = value[${JSON.stringify(step.name)}]; if (!rt.isDefault(rt.steps[${i}], v)) {
        const inner = new rt.Writer(); { const w = inner; ${emitWriteField(step, i, 'v', true)} }
        tagged.push(${step.tag}, inner.toBuffer()); } }`);
    });
    lines.push(`w.writeUnsignedVarInt(tagged.length / 2);
      for (let t = 0; t < tagged.length; t += 2) w.writeUnsignedVarInt(tagged[t]).writeUnsignedVarInt(tagged[t + 1].length).writeRaw(tagged[t + 1]);`);
  }
  return lines.join('\n');
}

function emitReader(plan: Plan, steps: readonly Step[]): string {
  const lines: string[] = [];
  const local = (step: Step) => `f${steps.indexOf(step)}`;
  for (const step of plan.fixed) lines.push(`let ${local(step)}; ${emitReadField(step, steps.indexOf(step), local(step), plan.flexible)}`);
  for (const step of plan.tagged) lines.push(`let ${local(step)} = ${emitDefault(step, steps.indexOf(step))};`);
  if (plan.flexible) {
    const cases = plan.tagged.map((step) => `case ${step.tag}: { const outer = r; { const r = new rt.Reader(body);
        ${emitReadField(step, steps.indexOf(step), local(step), true)}
        if (r.remaining() !== 0) rt.failDecode('tagged field ' + ${JSON.stringify(step.name)} + ' has trailing bytes', outer.offset); } break; }`);
    lines.push(`{ const count = r.readUnsignedVarInt(); let previous = -1;
      for (let t = 0; t < count; t++) {
        const tag = r.readUnsignedVarInt();
        if (tag <= previous) rt.failDecode('tagged field ' + tag + ' out of order', r.offset);
        previous = tag;
        const body = r.readRaw(r.readUnsignedVarInt());
        switch (tag) { ${cases.join('\n')} default: break; }
      } }`);
  }
  const props = plan.fields.map((field) => {
    const absent = plan.absent.get(field.name);
    return `${JSON.stringify(field.name)}: ${absent ? emitDefault(absent, steps.indexOf(absent)) : local(steps.find((s) => s.field === field)!)}`;
  });
  lines.push(`return { ${props.join(', ')} };`);
  return lines.join('\n');
}

function compile(plan: Plan, version: number, structName: string): CompiledStruct {
  const steps: Step[] = [...plan.fixed, ...plan.tagged, ...plan.absent.values()];
  const subs = steps.map((step) => (step.plan ? compiledFor(step.plan, version, `${structName}.${step.name}`) : null));
  const rt: Runtime = {
    steps,
    subs,
    defaults: steps.map((step) => step.defaultValue),
    Writer,
    Reader,
    fail(struct, field, problem) {
      throw new EncodeError(`${field ? `${struct}.${field}` : struct} ${problem} in v${version}`);
    },
    failDecode(message, offset) {
      throw new DecodeError(message, offset);
    },
    isDefault,
    defaultStruct: (step) => defaultStruct(step.field.fields ?? [], version),
  };
  const write = new Function('rt', 'S', `return function write(value, w) {
    if (value === null || typeof value !== 'object') rt.fail(S, '', 'must be an object');
    ${emitWriter(plan, steps)}
  };`)(rt, structName) as CompiledStruct['write'];
  const read = new Function('rt', `return function read(r) {\n${emitReader(plan, steps)}\n};`)(rt) as CompiledStruct['read'];
  return { write, read };
}

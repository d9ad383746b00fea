/**
 * Typed knob descriptions: each knob knows its default, how to parse a string (environment
 * variables and CLI flags) and how to validate a YAML value. Errors name the allowed values.
 */

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export interface Knob<T> {
  readonly kind: string;
  readonly default: T;
  readonly doc: string;
  /** What a valid value looks like, for error messages and the docs. */
  readonly allowed: string;
  /** Validates a value coming from YAML (any JSON-ish type) or from a string (env, flags). */
  parse(value: unknown, key: string): T;
}

function invalid(key: string, value: unknown, allowed: string): never {
  throw new ConfigError(`invalid config ${key}=${JSON.stringify(value)}: allowed ${allowed}`);
}

export function intKnob(def: number, min: number, max: number, doc: string): Knob<number> {
  const allowed = `an integer from ${min} to ${max}`;
  return {
    kind: 'int', default: def, doc, allowed,
    parse(value, key) {
      const n = typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
      if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) invalid(key, value, allowed);
      return n;
    },
  };
}

export function boolKnob(def: boolean, doc: string): Knob<boolean> {
  const allowed = 'true or false';
  return {
    kind: 'bool', default: def, doc, allowed,
    parse(value, key) {
      if (typeof value === 'boolean') return value;
      if (value === 'true') return true;
      if (value === 'false') return false;
      return invalid(key, value, allowed);
    },
  };
}

export function enumKnob<const T extends string>(def: T, values: readonly T[], doc: string): Knob<T> {
  const allowed = `one of ${values.join(', ')}`;
  return {
    kind: 'enum', default: def, doc, allowed,
    parse(value, key) {
      if (typeof value !== 'string' || !values.includes(value as T)) invalid(key, value, allowed);
      return value as T;
    },
  };
}

export function stringKnob(def: string, doc: string, pattern = /^.+$/, allowed = 'a non-empty string'): Knob<string> {
  return {
    kind: 'string', default: def, doc, allowed,
    parse(value, key) {
      if (typeof value === 'number') value = String(value);
      if (typeof value !== 'string' || !pattern.test(value)) invalid(key, value, allowed);
      return value;
    },
  };
}

export interface HostPort {
  host: string;
  port: number;
}

export function parseHostPort(value: unknown, key: string): HostPort {
  const allowed = 'HOST:PORT with a port from 0 to 65535 (e.g. 127.0.0.1:9092)';
  if (typeof value !== 'string') return invalid(key, value, allowed);
  const m = /^\[?([^\]\s]*?)\]?:(\d{1,5})$/.exec(value.trim());
  if (!m || m[1] === '' || Number(m[2]) > 65535) return invalid(key, value, allowed);
  return { host: m[1], port: Number(m[2]) };
}

export function hostPortKnob(def: string, doc: string): Knob<string> {
  return {
    kind: 'hostPort', default: def, doc, allowed: 'HOST:PORT',
    parse(value, key) {
      parseHostPort(value, key);
      return String(value).trim();
    },
  };
}

/** A HOST:PORT that may be empty (""), meaning "derive it" (e.g. advertise = listen). */
export function optionalHostPortKnob(doc: string): Knob<string> {
  return {
    kind: 'hostPort', default: '', doc, allowed: 'HOST:PORT or ""',
    parse(value, key) {
      if (value === '' || value === null) return '';
      parseHostPort(value, key);
      return String(value).trim();
    },
  };
}

/** A list of strings: a YAML sequence, or a comma-separated string from env/flags. */
export function listKnob(def: string[], doc: string): Knob<string[]> {
  const allowed = 'a list of strings (YAML sequence or comma-separated)';
  return {
    kind: 'list', default: def, doc, allowed,
    parse(value, key) {
      if (typeof value === 'string') return value.split(',').map((s) => s.trim()).filter((s) => s !== '');
      if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) return invalid(key, value, allowed);
      return value as string[];
    },
  };
}

export function isKnob(x: unknown): x is Knob<unknown> {
  return typeof x === 'object' && x !== null && typeof (x as Knob<unknown>).parse === 'function';
}

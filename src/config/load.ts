/**
 * Builds the effective config: schema defaults, then the YAML file, then TRIBUTARY_* environment
 * variables, then CLI flags. Any bad value or unknown key throws a ConfigError naming the key and
 * the allowed values, so a broker never starts on a config it did not understand.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { ConfigError, isKnob } from './knobs';
import { configSchema, envName, knobEntries, TributaryConfig } from './schema';

export interface ConfigSources {
  /** Path of a YAML file (--config). */
  file?: string;
  /** Environment (process.env by default). */
  env?: NodeJS.ProcessEnv;
  /** Overrides from CLI flags, by dotted path (e.g. { 'broker.listen': '127.0.0.1:19092' }). */
  overrides?: Record<string, string>;
}

export function defaultConfig(): TributaryConfig {
  return buildFrom({});
}

export function loadConfig(sources: ConfigSources = {}): TributaryConfig {
  const config = buildFrom(sources.file === undefined ? {} : readYaml(sources.file));
  const env = sources.env ?? process.env;
  for (const { path, knob } of knobEntries()) {
    const raw = env[envName(path)];
    if (raw !== undefined) setPath(config, path, knob.parse(raw, `${path} (env ${envName(path)})`));
  }
  for (const [path, raw] of Object.entries(sources.overrides ?? {})) {
    const entry = knobEntries().find((e) => e.path === path);
    if (!entry) throw new ConfigError(`unknown config key ${path}`);
    setPath(config, path, entry.knob.parse(raw, path));
  }
  return config;
}

function readYaml(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read config file ${file}: ${(err as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new ConfigError(`config file ${file} is not valid YAML: ${(err as Error).message}`);
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new ConfigError(`config file ${file} must hold a mapping of sections`);
  return doc as Record<string, unknown>;
}

/** Walks the schema and the YAML document together: every YAML key must be a known knob. */
function buildFrom(doc: Record<string, unknown>, schema: object = configSchema, prefix = ''): TributaryConfig {
  const out: Record<string, unknown> = {};
  const known = Object.keys(schema);
  for (const key of Object.keys(doc)) {
    if (!known.includes(key)) {
      const where = prefix === '' ? 'top level' : `section ${prefix}`;
      throw new ConfigError(`unknown config key ${prefix === '' ? key : `${prefix}.${key}`} in ${where}: allowed ${known.join(', ')}`);
    }
  }
  for (const [name, value] of Object.entries(schema)) {
    const path = prefix === '' ? name : `${prefix}.${name}`;
    const given = doc[name];
    if (isKnob(value)) {
      out[name] = given === undefined ? structuredClone(value.default) : value.parse(given, path);
    } else {
      if (given !== undefined && (typeof given !== 'object' || given === null || Array.isArray(given))) {
        throw new ConfigError(`config section ${path} must be a mapping of keys: allowed ${Object.keys(value).join(', ')}`);
      }
      out[name] = buildFrom((given ?? {}) as Record<string, unknown>, value as object, path);
    }
  }
  return out as TributaryConfig;
}

function setPath(config: object, path: string, value: unknown): void {
  const parts = path.split('.');
  let node = config as Record<string, unknown>;
  for (const p of parts.slice(0, -1)) node = node[p] as Record<string, unknown>;
  node[parts[parts.length - 1]] = value;
}

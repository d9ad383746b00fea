/**
 * Renders config/tributary.example.yml from the schema, so the documented defaults can never
 * drift from the real ones (a test compares the file with this output; `tributary config-example`
 * prints it).
 */
import { stringify } from 'yaml';
import { isKnob } from './knobs';
import { configSchema, envName } from './schema';

const HEADER = [
  '# Tributary broker configuration: every knob with its default.',
  '# Precedence, lowest first: these defaults, this file (--config FILE), TRIBUTARY_* environment',
  '# variables (named after the key: topics.autoCreate -> TRIBUTARY_TOPICS_AUTO_CREATE), then the',
  '# CLI flags --listen, --advertise, --data-dir and --broker-id.',
  '# An unknown key or a bad value stops startup with a message naming the key and the allowed values.',
];

export function renderExampleConfig(): string {
  const lines = [...HEADER];
  for (const [section, knobs] of Object.entries(configSchema)) {
    lines.push('', `${section}:`);
    for (const [name, knob] of Object.entries(knobs)) {
      if (!isKnob(knob)) continue;
      lines.push(`  # ${knob.doc}`, `  # Allowed: ${knob.allowed}. Env: ${envName(`${section}.${name}`)}`);
      const yaml = stringify({ [name]: knob.default }).trimEnd().split('\n');
      lines.push(...yaml.map((l) => `  ${l}`));
    }
  }
  return `${lines.join('\n')}\n`;
}

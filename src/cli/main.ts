/**
 * The `tributary` command. `tributary broker` starts one broker; its flags are a contract
 * (scripts outside the repo rely on them): --listen, --advertise, --data-dir, --broker-id,
 * --config. Every other knob lives in the YAML config and TRIBUTARY_* variables.
 */
import { parseArgs } from 'node:util';
import { ConfigError } from '../config/knobs';
import { renderExampleConfig } from '../config/example';
import { loadConfig } from '../config/load';
import { NATIVE_COMMANDS, NATIVE_USAGE } from './native-commands';
import { runBroker } from './run-broker';

const USAGE = `usage:
  tributary broker [--listen HOST:PORT] [--advertise HOST:PORT] [--data-dir DIR] [--broker-id N] [--config FILE]
  tributary config-example     print config/tributary.example.yml (every knob with its default)
${NATIVE_USAGE}
  tributary help`;

/** Flag name -> config path. */
const BROKER_FLAGS = {
  listen: 'broker.listen',
  advertise: 'broker.advertise',
  'data-dir': 'data.dir',
  'broker-id': 'broker.id',
} as const;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(`${USAGE}\n`);
    return command === undefined ? 2 : 0;
  }
  if (command === 'config-example') {
    process.stdout.write(renderExampleConfig());
    return 0;
  }
  const native = NATIVE_COMMANDS[command];
  if (native) return native(rest);
  if (command !== 'broker') {
    process.stderr.write(`tributary: unknown command "${command}"\n${USAGE}\n`);
    return 2;
  }
  return brokerCommand(rest);
}

async function brokerCommand(args: string[]): Promise<number> {
  let config;
  try {
    const { values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        listen: { type: 'string' },
        advertise: { type: 'string' },
        'data-dir': { type: 'string' },
        'broker-id': { type: 'string' },
        config: { type: 'string' },
      },
    });
    const overrides: Record<string, string> = {};
    for (const [flag, path] of Object.entries(BROKER_FLAGS)) {
      const value = values[flag as keyof typeof BROKER_FLAGS];
      if (value !== undefined) overrides[path] = value;
    }
    config = loadConfig({ file: values.config, overrides });
  } catch (err) {
    const message = err instanceof ConfigError ? err.message : (err as Error).message;
    process.stderr.write(`tributary: ${message}\n${USAGE}\n`);
    return 2;
  }
  return runBroker(config);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`tributary: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 1;
  },
);

/**
 * The `tributary` command. `tributary broker` starts one broker; its flags are a contract
 * (scripts outside the repo rely on them): --listen, --advertise, --data-dir, --broker-id,
 * --config. Every other knob lives in the YAML config and TRIBUTARY_* variables.
 */
import { parseArgs } from 'node:util';
import { ConfigError } from '../config/knobs';
import { renderExampleConfig } from '../config/example';
import { loadConfig } from '../config/load';
import { rootLogger } from '../log';
import { NATIVE_COMMANDS, NATIVE_USAGE } from './native-commands';

const USAGE = `usage:
  tributary broker [--listen HOST:PORT] [--advertise HOST:PORT] [--data-dir DIR] [--broker-id N] [--object-store URL] [--config FILE]
                   [--native-listen HOST:PORT]          an extra native-only listener (docs/native-protocol.md)
                   [--etcd HOST:PORT[,HOST:PORT...]]   cluster mode: metadata in etcd (docs/cluster.md)
  tributary config-example     print config/tributary.example.yml (every knob with its default)
${NATIVE_USAGE}
  tributary help`;

/** Flag name -> config path. */
const BROKER_FLAGS = {
  listen: 'broker.listen',
  advertise: 'broker.advertise',
  'data-dir': 'data.dir',
  'broker-id': 'broker.id',
  'object-store': 'tier.objectStore',
  'native-listen': 'native.listen',
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
        'object-store': { type: 'string' },
        'native-listen': { type: 'string' },
        config: { type: 'string' },
        etcd: { type: 'string' },
      },
    });
    const overrides: Record<string, string> = {};
    for (const [flag, path] of Object.entries(BROKER_FLAGS)) {
      const value = values[flag as keyof typeof BROKER_FLAGS];
      if (value !== undefined) overrides[path] = value;
    }
    Object.assign(overrides, etcdOverrides(values.etcd));
    config = loadConfig({ file: values.config, overrides });
  } catch (err) {
    const message = err instanceof ConfigError ? err.message : (err as Error).message;
    process.stderr.write(`tributary: ${message}\n${USAGE}\n`);
    return 2;
  }
  // Component loggers take the root's level when they are created, at import: set it first,
  // then load the broker.
  rootLogger.level = config.log.level;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { runBroker } = require('./run-broker') as typeof import('./run-broker');
  return runBroker(config);
}

/** --etcd HOST:PORT[,HOST:PORT...] selects cluster mode: metadata.store etcd at those endpoints. */
function etcdOverrides(etcd: string | undefined): Record<string, string> {
  if (etcd === undefined) return {};
  const endpoints = etcd.split(',').map((e) => e.trim()).filter((e) => e !== '');
  if (endpoints.length === 0) throw new ConfigError('--etcd needs at least one HOST:PORT');
  return {
    'metadata.store': 'etcd',
    'metadata.etcdEndpoints': endpoints.map((e) => (e.includes('://') ? e : `http://${e}`)).join(','),
  };
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

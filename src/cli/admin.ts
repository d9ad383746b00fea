/**
 * `tributary admin …` over the native protocol: topics, subscriptions, namespaces, brokers.
 * Prints the broker's JSON answer.
 */
import { parseArgs } from 'node:util';
import { connect } from '../client';
import { positiveInt } from './progress-line';

export const ADMIN_USAGE = `tributary admin --bootstrap HOST:PORT topics list [--namespace NS]
  tributary admin --bootstrap HOST:PORT topics create TOPIC [--partitions N] [--schema bytes|string|int64|json] [--json-schema TEXT] [--non-reliable]
  tributary admin --bootstrap HOST:PORT topics describe|delete TOPIC
  tributary admin --bootstrap HOST:PORT subscriptions list TOPIC
  tributary admin --bootstrap HOST:PORT subscriptions delete TOPIC SUBSCRIPTION
  tributary admin --bootstrap HOST:PORT namespaces list
  tributary admin --bootstrap HOST:PORT namespaces create|set-policies NS [--max-producers N] [--max-consumers N] [--max-message-bytes N] [--retention-ms N]
  tributary admin --bootstrap HOST:PORT namespaces delete NS
  tributary admin --bootstrap HOST:PORT brokers list`;

type Values = Record<string, string | boolean | undefined>;

function policies(values: Values): Record<string, number> {
  const out: Record<string, number> = {};
  const map = { 'max-producers': 'maxProducersPerTopic', 'max-consumers': 'maxConsumersPerTopic', 'max-message-bytes': 'maxMessageBytes', 'retention-ms': 'retentionMs' };
  for (const [flag, name] of Object.entries(map)) {
    const n = positiveInt(values[flag] as string | undefined, flag);
    if (n !== undefined) out[name] = n;
  }
  return out;
}

function request(area: string, action: string, args: string[], values: Values): [string, Record<string, unknown>] {
  const need = (n: number) => {
    if (args.length !== n) throw new Error(`admin ${area} ${action} takes ${n} argument(s)\nusage: ${ADMIN_USAGE}`);
  };
  const key = `${area} ${action}`;
  switch (key) {
    case 'topics list': need(0); return ['topics.list', values.namespace ? { namespace: values.namespace } : {}];
    case 'topics create': {
      need(1);
      const schema = values.schema ? { type: values.schema, definition: values['json-schema'] ?? null } : undefined;
      return ['topics.create', { topic: args[0], partitions: positiveInt(values.partitions as string | undefined, 'partitions') ?? 1, reliable: !values['non-reliable'], schema }];
    }
    case 'topics describe': need(1); return ['topics.describe', { topic: args[0] }];
    case 'topics delete': need(1); return ['topics.delete', { topic: args[0] }];
    case 'subscriptions list': need(1); return ['subscriptions.list', { topic: args[0] }];
    case 'subscriptions delete': need(2); return ['subscriptions.delete', { topic: args[0], subscription: args[1] }];
    case 'namespaces list': need(0); return ['namespaces.list', {}];
    case 'namespaces create': need(1); return ['namespaces.create', { namespace: args[0], policies: policies(values) }];
    case 'namespaces set-policies': need(1); return ['namespaces.setPolicies', { namespace: args[0], policies: policies(values) }];
    case 'namespaces delete': need(1); return ['namespaces.delete', { namespace: args[0] }];
    case 'brokers list': need(0); return ['brokers.list', {}];
    default: throw new Error(`unknown admin command "${key}"\nusage: ${ADMIN_USAGE}`);
  }
}

export async function adminCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args, allowPositionals: true, strict: true,
    options: {
      bootstrap: { type: 'string' }, namespace: { type: 'string' }, partitions: { type: 'string' }, schema: { type: 'string' },
      'json-schema': { type: 'string' }, 'non-reliable': { type: 'boolean' }, 'max-producers': { type: 'string' },
      'max-consumers': { type: 'string' }, 'max-message-bytes': { type: 'string' }, 'retention-ms': { type: 'string' },
    },
  });
  const [area, action, ...rest] = positionals;
  if (!values.bootstrap || !area || !action) throw new Error(`usage: ${ADMIN_USAGE}`);
  const [operation, body] = request(area, action, rest, values);
  const client = await connect({ bootstrap: values.bootstrap, clientName: 'tributary-cli-admin' });
  try {
    process.stdout.write(`${JSON.stringify(await client.admin.call(operation, body), null, 2)}\n`);
  } finally {
    await client.close();
  }
  return 0;
}

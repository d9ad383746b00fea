/**
 * `tributary consume TOPIC --bootstrap HOST:PORT --subscription NAME --type exclusive|shared|failover|key_shared
 *  [--count N] [--from earliest|latest]` over the native protocol: prints one message per line
 * (the payload as UTF-8) on stdout, acks it, and exits after --count messages (or runs until
 * interrupted). Rates go to stderr.
 */
import { parseArgs } from 'node:util';
import { connect } from '../client';
import { NATIVE_LIMITS } from '../limits';
import { SUBSCRIPTION_TYPES, SubscriptionType } from '../protocol/native/messages';
import { positiveInt, ProgressLine } from './progress-line';

export const CONSUME_USAGE =
  'tributary consume TOPIC --bootstrap HOST:PORT --subscription NAME --type exclusive|shared|failover|key_shared [--count N] [--from earliest|latest]';

export async function consumeCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args, allowPositionals: true, strict: true,
    options: {
      bootstrap: { type: 'string' }, subscription: { type: 'string' }, type: { type: 'string' },
      count: { type: 'string' }, from: { type: 'string' },
    },
  });
  if (positionals.length !== 1 || !values.bootstrap || !values.subscription || !values.type) throw new Error(`usage: ${CONSUME_USAGE}`);
  if (!SUBSCRIPTION_TYPES.includes(values.type as SubscriptionType)) throw new Error(`--type must be one of ${SUBSCRIPTION_TYPES.join(', ')}`);
  const from = values.from ?? 'latest';
  if (from !== 'earliest' && from !== 'latest') throw new Error('--from must be earliest or latest');
  const count = positiveInt(values.count, 'count');
  const client = await connect({ bootstrap: values.bootstrap, clientName: 'tributary-cli-consume' });
  // A refused subscribe (Exclusive taken, type mismatch) must not leave the connection holding the process open.
  const consumer = await client.subscribe({
    topic: positionals[0], subscription: values.subscription, type: values.type as SubscriptionType, initialPosition: from,
    // With --count, take no more permits than needed: the rest stays for other consumers.
    receiverQueueSize: count === undefined ? undefined : Math.min(count, NATIVE_LIMITS.clientReceiverQueueMessages),
  }).catch(async (err: unknown) => {
    await client.close();
    throw err;
  });
  const progress = new ProgressLine('consumed', count ?? null);
  let stop = false;
  const onSignal = () => {
    stop = true;
    void consumer.close();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    for await (const m of consumer) {
      if (!process.stdout.write(`${m.payload.toString('utf8')}\n`)) await new Promise((r) => process.stdout.once('drain', r));
      progress.add(m.payload.length);
      const last = count !== undefined && progress.count >= count;
      await consumer.ack(m);
      if (last || stop) break;
    }
    // Replies come in request order: once this answers, the broker has handled every ack before it.
    await client.admin.call('brokers.list').catch(() => undefined);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    progress.finish();
    await client.close();
  }
  return 0;
}

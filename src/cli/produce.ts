/**
 * `tributary produce TOPIC --bootstrap HOST:PORT [--count N] [--size BYTES] [--rate R] [--key K]`
 * over the native protocol. With --count it sends N generated messages of --size bytes (default
 * 100), at most --rate per second; without it, one message per line read from stdin. Prints
 * rates on stderr; exits 0 once every message is acknowledged.
 */
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { connect } from '../client';
import type { Producer } from '../client';
import { positiveInt, ProgressLine } from './progress-line';

export const PRODUCE_USAGE = 'tributary produce TOPIC --bootstrap HOST:PORT [--count N] [--size BYTES] [--rate R] [--key K]';

/** In-flight sends before the loop waits for receipts (keeps memory flat on long runs). */
const WINDOW_MESSAGES = 5000;

export async function produceCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args, allowPositionals: true, strict: true,
    options: { bootstrap: { type: 'string' }, count: { type: 'string' }, size: { type: 'string' }, rate: { type: 'string' }, key: { type: 'string' } },
  });
  if (positionals.length !== 1 || !values.bootstrap) throw new Error(`usage: ${PRODUCE_USAGE}`);
  const count = positiveInt(values.count, 'count');
  const size = positiveInt(values.size, 'size') ?? 100;
  const rate = positiveInt(values.rate, 'rate');
  const client = await connect({ bootstrap: values.bootstrap, clientName: 'tributary-cli-produce' });
  // A refused producer (schema mismatch, exclusive access taken) must not leave the connection holding the process open.
  const producer = await client.producer({ topic: positionals[0], lingerMs: 5 }).catch(async (err: unknown) => {
    await client.close();
    throw err;
  });
  const progress = new ProgressLine('produced', count ?? null);
  try {
    if (count !== undefined) await produceGenerated(producer, progress, count, size, rate, values.key);
    else await produceLines(producer, progress, rate, values.key);
    await producer.flush();
  } finally {
    progress.finish();
    await client.close();
  }
  return 0;
}

async function produceGenerated(producer: Producer, progress: ProgressLine, count: number, size: number, rate: number | undefined, key?: string) {
  const payload = Buffer.alloc(size, 'x');
  const pace = pacer(rate);
  const window = new Set<Promise<unknown>>();
  for (let i = 0; i < count; i++) {
    await pace();
    const sent = producer.send(payload, { key }).then(() => {
      progress.add(size);
      window.delete(sent);
    });
    window.add(sent);
    if (window.size >= WINDOW_MESSAGES) await Promise.race(window);
  }
  await Promise.all(window);
}

async function produceLines(producer: Producer, progress: ProgressLine, rate: number | undefined, key?: string) {
  const pace = pacer(rate);
  const window = new Set<Promise<unknown>>();
  for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
    await pace();
    const bytes = Buffer.byteLength(line);
    const sent = producer.send(line, { key }).then(() => {
      progress.add(bytes);
      window.delete(sent);
    });
    window.add(sent);
    if (window.size >= WINDOW_MESSAGES) await Promise.race(window);
  }
  await Promise.all(window);
}

/** Waits as needed so calls happen at most `rate` times per second (no wait without a rate). */
function pacer(rate: number | undefined): () => Promise<void> {
  if (rate === undefined) return async () => undefined;
  const startedMs = Date.now();
  let sent = 0;
  return async () => {
    const dueMs = startedMs + (sent * 1000) / rate;
    sent++;
    const waitMs = dueMs - Date.now();
    if (waitMs > 1) await new Promise((r) => setTimeout(r, waitMs));
  };
}

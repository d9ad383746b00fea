/**
 * `tributary produce TOPIC --bootstrap HOST:PORT [--count N] [--size BYTES] [--rate R] [--key K]`
 * over the native protocol. With --count it sends N generated messages of --size bytes (default
 * 100), at most --rate per second; without it, one message per line read from stdin (split on
 * '\n' as kcat does, a '\r' before it dropped; the bytes as they are). Messages go through
 * Producer.sendMany() in runs of up to CALL_MESSAGES, one promise per run rather than per
 * message. Prints rates on stderr; exits 0 once every message is acknowledged.
 */
import { createReadStream, fstatSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { connect } from '../client';
import type { Producer } from '../client';
import { positiveInt, ProgressLine } from './progress-line';

export const PRODUCE_USAGE = 'tributary produce TOPIC --bootstrap HOST:PORT [--count N] [--size BYTES] [--rate R] [--key K]';

/** Messages per sendMany() call. */
const CALL_MESSAGES = 1000;
/** sendMany() calls awaiting their receipts before the command waits for the oldest (with CALL_MESSAGES: 64k messages). */
const WINDOW_CALLS = 64;
/** Payload bytes of the calls awaiting receipts before the command waits for the oldest (64 runs of 1 KiB lines would be 64 MiB). */
const WINDOW_BYTES = 16 << 20;
const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

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
  const producer = await client.producer({ topic: positionals[0], ...CLI_PRODUCER_OPTIONS }).catch(async (err: unknown) => {
    await client.close();
    throw err;
  });
  const progress = new ProgressLine('produced', count ?? null);
  try {
    if (count !== undefined) await produceGenerated(new CallWindow(producer, progress, values.key), count, size, rate);
    else await sendLines(producer, stdinStream(), progress, rate, values.key);
  } finally {
    progress.finish();
    await client.close();
  }
  return 0;
}

/** Bytes per read when stdin is a file (`< file`): 16x the stream default, a read per ~10,000 lines of 100 B. */
export const STDIN_FILE_READ_BYTES = 1 << 20;

/** Stdin; a file is read in STDIN_FILE_READ_BYTES pieces (pipes and terminals deliver what they have). */
function stdinStream(): AsyncIterable<Buffer | string> {
  return fstatSync(0).isFile() ? createReadStream('', { fd: 0, highWaterMark: STDIN_FILE_READ_BYTES, autoClose: false }) : process.stdin;
}

/** The producer settings of `tributary produce` (bench/native.ts times the command's path with them). */
export const CLI_PRODUCER_OPTIONS = Object.freeze({ lingerMs: 5, batchMessagesMax: 10_000, maxPendingMessages: CALL_MESSAGES * WINDOW_CALLS });

/** What `tributary produce` does without --count: one message per line of `input`, every one acknowledged when it returns. */
export async function sendLines(producer: Producer, input: AsyncIterable<Buffer | string>, progress: ProgressLine, rate?: number, key?: string): Promise<void> {
  const sender = new CallWindow(producer, progress, key);
  await produceLines(sender, input, rate);
  await sender.drain();
  await producer.flush();
}

/** sendMany() calls in flight, at most WINDOW_CALLS; each adds its messages to the progress line once stored. */
class CallWindow {
  private readonly calls: Array<Promise<void>> = [];
  private readonly callBytes: number[] = [];
  private bytesInFlight = 0;

  constructor(private readonly producer: Producer, private readonly progress: ProgressLine, private readonly key?: string) {}

  async send(payloads: Uint8Array[]): Promise<void> {
    let bytes = 0;
    for (const p of payloads) bytes += p.length;
    const options = this.key === undefined ? undefined : { key: this.key };
    const call = this.producer.sendMany(payloads, options).then(() => {
      this.progress.count += payloads.length;
      this.progress.bytes += bytes;
    });
    // Awaited in order below; handled now so a failure behind the one awaited is not reported twice.
    call.catch(() => undefined);
    this.calls.push(call);
    this.callBytes.push(bytes);
    this.bytesInFlight += bytes;
    while (this.calls.length >= WINDOW_CALLS || this.bytesInFlight >= WINDOW_BYTES) await this.oldest();
  }

  async drain(): Promise<void> {
    while (this.calls.length > 0) await this.oldest();
  }

  private async oldest(): Promise<void> {
    const call = this.calls.shift();
    this.bytesInFlight -= this.callBytes.shift() ?? 0;
    await call;
  }
}

async function produceGenerated(sender: CallWindow, count: number, size: number, rate: number | undefined) {
  const payload = Buffer.alloc(size, 'x');
  const pace = pacer(rate);
  // Paced runs go one message per call, so each is stamped when its turn comes.
  const perCall = rate === undefined ? CALL_MESSAGES : 1;
  for (let sent = 0; sent < count; sent += perCall) {
    await pace();
    await sender.send(new Array<Buffer>(Math.min(perCall, count - sent)).fill(payload));
  }
  await sender.drain();
}

/** One message per line of `input` (the bytes between newlines; a last line without one counts when not empty). */
async function produceLines(sender: CallWindow, input: AsyncIterable<Buffer | string>, rate: number | undefined) {
  const pace = pacer(rate);
  let rest: Buffer | null = null;
  const send = async (lines: Uint8Array[]) => {
    if (rate === undefined) {
      for (let i = 0; i < lines.length; i += CALL_MESSAGES) await sender.send(lines.slice(i, i + CALL_MESSAGES));
      return;
    }
    for (const line of lines) {
      await pace();
      await sender.send([line]);
    }
  };
  for await (const piece of input) {
    const chunk: Buffer = typeof piece === 'string' ? Buffer.from(piece, 'utf8') : piece;
    const data: Buffer = rest === null ? chunk : Buffer.concat([rest, chunk]);
    const lines: Uint8Array[] = [];
    let from = 0;
    // Buffer's indexOf (memchr; V8's TypedArray indexOf took ~3x as long a line) and plain Uint8Array views (Buffer's subarray wraps each in JavaScript).
    for (let at = data.indexOf(NEWLINE, 0); at >= 0; at = data.indexOf(NEWLINE, from)) {
      lines.push(new Uint8Array(data.buffer, data.byteOffset + from, (at > from && data[at - 1] === CARRIAGE_RETURN ? at - 1 : at) - from));
      from = at + 1;
    }
    rest = from < data.length ? data.subarray(from) : null;
    await send(lines);
  }
  if (rest !== null) await send([rest[rest.length - 1] === CARRIAGE_RETURN ? rest.subarray(0, rest.length - 1) : rest]);
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

/** Helpers for bench/kafka.ts: a broker child process, timed client runs, RESULT lines. */
import { ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

export interface BrokerProcess {
  child: ChildProcess;
  stop(): Promise<void>;
  /** Mark-compacts the broker's V8 ran so far (its `--trace-gc` lines). */
  markCompacts(): number;
}

/**
 * Starts `tributary broker` as its own process (optionally under --cpu-prof) and waits for its port.
 * It runs with `--trace-gc` (a line per collection on its stdout, which is otherwise only its log
 * lines): mark-compacts were a third of its CPU under large requests before session 8 (docs/broker.md).
 */
export async function startBrokerProcess(port: number, dataDir: string, env: NodeJS.ProcessEnv, cpuProfDir?: string): Promise<BrokerProcess> {
  const nodeArgs = ['--trace-gc', ...(cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfDir}`] : [])];
  const child = spawn(process.execPath, [...nodeArgs, join(__dirname, '../scripts/tributary.cjs'), 'broker',
    '--listen', `127.0.0.1:${port}`, '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } });
  let markCompacts = 0;
  let partial = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop()!;
    for (const line of lines) if (line.includes('Mark-Compact')) markCompacts++;
  });
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (await canConnect(port)) break;
    if (Date.now() > deadline || child.exitCode !== null) throw new Error('broker did not start');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    child,
    markCompacts: () => markCompacts,
    stop: () => new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    }),
  };
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = require('node:net').connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Runs a command to completion, stdout discarded unless captured (and handed to `onStdout` as it arrives); returns elapsed seconds. */
export function timed(command: string, args: string[], stdinFile?: string, capture = false, onStderr?: (stderr: string) => void,
  onStdout?: (chunk: Buffer) => void): Promise<{ seconds: number; stdout: string }> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(command, args, { stdio: [stdinFile ? 'pipe' : 'ignore', capture ? 'pipe' : 'ignore', 'pipe'] });
    if (stdinFile) require('node:fs').createReadStream(stdinFile).pipe(child.stdin);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on('data', (c: Buffer) => {
      out.push(c);
      onStdout?.(c);
    });
    child.stderr?.on('data', (c: Buffer) => err.push(c));
    child.on('error', reject);
    child.on('close', (code) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      onStderr?.(Buffer.concat(err).toString());
      if (code !== 0) reject(new Error(`${command} exited ${code}: ${Buffer.concat(err).toString().slice(-1000)}`));
      else resolve({ seconds, stdout: Buffer.concat(out).toString() });
    });
  });
}

/**
 * Runs a command under bash and returns, besides `timed`'s figures, the CPU seconds (user +
 * system) it used, from bash's `times` (its children's line), so a client's own share of the two
 * cores is known next to the broker's.
 */
export async function timedWithCpu(command: string, args: string[], capture = false, onStdout?: (chunk: Buffer) => void): Promise<{ seconds: number; stdout: string; cpuSeconds: number }> {
  const script = 'f=$(mktemp); "$@"; s=$?; times > "$f"; tail -1 "$f" >&2; rm -f "$f"; exit $s';
  let stderrTail = '';
  const run = await timed('/bin/bash', ['-c', script, 'bash', command, ...args], undefined, capture, (err) => { stderrTail = err; }, onStdout);
  // `times` prints "0m0.460s 0m0.070s" for the children: user, then system.
  const match = /(\d+)m([\d.]+)s (\d+)m([\d.]+)s\s*$/.exec(stderrTail);
  const cpu = match ? Number(match[1]) * 60 + Number(match[2]) + Number(match[3]) * 60 + Number(match[4]) : NaN;
  return { ...run, cpuSeconds: cpu };
}

/** CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat. */
export function cpuSeconds(pid: number): number {
  const stat = require('node:fs').readFileSync(`/proc/${pid}/stat`, 'utf8') as string;
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 14 and 15 of stat (utime, stime) are at 11 and 12 after the command name; clock ticks of 10 ms.
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

export function result(name: string, value: number, unit: string): void {
  const shown = value >= 100 ? value.toFixed(0) : value.toFixed(2);
  process.stdout.write(`RESULT ${name} ${shown} ${unit}\n`);
}

/**
 * kcat consume settings shared by bench:kafka and bench:native, so both compare against the same
 * librdkafka consumer: 4 MiB per partition Fetch (as native dispatch reads) and a local queue
 * that never makes librdkafka 2.0.2 back off its fetcher.
 */
export const KCAT_CONSUME_SETTINGS = ['fetch.max.bytes=52428800', 'fetch.message.max.bytes=4194304', 'queued.min.messages=1000000',
  'queued.max.messages.kbytes=262144'];

/** `-X key=value` pairs for kcat. */
export function kcatSettingArgs(settings: string[]): string[] {
  return settings.flatMap((setting) => ['-X', setting]);
}

/**
 * A clock that stops at the line of the `count`th message in kcat's `-f '%o\n'` output (fed its
 * stdout chunks), not at kcat's exit: piped stdout is flushed only at exit.
 */
export function lastLineClock(count: number): { onChunk(chunk: Buffer): void; seconds(): number } {
  const started = process.hrtime.bigint();
  let lines = 0;
  let lastMessageAt = 0n;
  return {
    onChunk(chunk: Buffer) {
      for (let at = chunk.indexOf(10); at >= 0; at = chunk.indexOf(10, at + 1)) lines++;
      if (lines >= count && lastMessageAt === 0n) lastMessageAt = process.hrtime.bigint();
    },
    seconds: () => Number(lastMessageAt - started) / 1e9,
  };
}

/** Throws unless kcat's `-f '%o\n'` output holds every offset 0..count-1 exactly once, in order. */
export function checkOffsetsInOrder(stdout: string, count: number, what: string): void {
  const offsets = stdout.length === 0 ? [] : stdout.trimEnd().split('\n');
  if (offsets.length !== count) throw new Error(`${what}: consumed ${offsets.length} of ${count}`);
  const wrong = offsets.findIndex((offset, i) => offset !== String(i));
  if (wrong >= 0) throw new Error(`${what}: message ${wrong} has offset ${offsets[wrong]}`);
}

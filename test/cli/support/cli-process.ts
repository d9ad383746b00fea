/**
 * The real `tributary` command (scripts/tributary.cjs) as a child process, for tests that drive
 * produce, consume and admin against a real broker over loopback.
 */
import { ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { join } from 'node:path';

const CLI = join(__dirname, '../../../scripts/tributary.cjs');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI to its end; stdin is closed at once, after `stdin` when given. */
export function runCli(args: string[], stdin?: string, env: Record<string, string> = {}): Promise<CliResult> {
  const running = startCli(args, env);
  running.child.stdin.end(stdin ?? '');
  return running.exited;
}

/** A CLI process still running, with its stdout split into lines as they arrive. */
export interface RunningCli {
  child: ChildProcessWithoutNullStreams;
  /** Complete stdout lines so far. */
  readonly lines: string[];
  exited: Promise<CliResult>;
  /** Resolves once `count` lines have arrived; rejects after `timeoutMs` or if the process exits first. */
  waitForLines(count: number, timeoutMs?: number): Promise<string[]>;
}

export function startCli(args: string[], env: Record<string, string> = {}): RunningCli {
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, TRIBUTARY_LOG_LEVEL: 'silent', ...env } });
  let stdout = '';
  let stderr = '';
  const lines: string[] = [];
  const waiters = new Set<() => void>();
  child.stdout.on('data', (c: Buffer) => {
    stdout += c.toString();
    const complete = stdout.split('\n').slice(0, -1);
    lines.splice(0, lines.length, ...complete);
    for (const wake of waiters) wake();
  });
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  child.stdin.on('error', () => undefined);
  let done = false;
  const exited = new Promise<CliResult>((resolve) =>
    child.on('close', (code, signal) => {
      done = true;
      for (const wake of waiters) wake();
      resolve({ code: code ?? (signal ? -1 : 0), stdout, stderr });
    }),
  );
  const waitForLines = (count: number, timeoutMs = 30_000) =>
    new Promise<string[]>((resolve, reject) => {
      const timer = setTimeout(() => finish(new Error(`${count} lines expected from tributary ${args.join(' ')}, got ${lines.length}: ${stderr}`)), timeoutMs);
      const finish = (err?: Error) => {
        clearTimeout(timer);
        waiters.delete(check);
        if (err) reject(err);
        else resolve(lines.slice());
      };
      const check = () => {
        if (lines.length >= count) finish();
        else if (done) finish(new Error(`tributary ${args.join(' ')} exited after ${lines.length} of ${count} lines: ${stderr}`));
      };
      waiters.add(check);
      check();
    });
  return { child, lines, exited, waitForLines };
}

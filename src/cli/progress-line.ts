/**
 * Rates and a progress line for the native CLI commands: a line on stderr every second while a
 * run lasts (only when stderr is a terminal, or always with TRIBUTARY_PROGRESS=1), and a
 * summary at the end.
 */
export class ProgressLine {
  private readonly startedMs = Date.now();
  private timer: NodeJS.Timeout | null = null;
  private lastCount = 0;
  private lastMs = this.startedMs;
  count = 0;
  bytes = 0;

  constructor(private readonly verb: string, private readonly target: number | null) {
    if (process.stderr.isTTY || process.env.TRIBUTARY_PROGRESS === '1') {
      this.timer = setInterval(() => this.print(), 1000);
      this.timer.unref();
    }
  }

  add(bytes: number): void {
    this.count++;
    this.bytes += bytes;
  }

  private print(): void {
    const now = Date.now();
    const rate = ((this.count - this.lastCount) * 1000) / Math.max(1, now - this.lastMs);
    this.lastCount = this.count;
    this.lastMs = now;
    const of = this.target === null ? '' : `/${this.target}`;
    process.stderr.write(`${this.verb} ${this.count}${of} messages, ${rate.toFixed(0)} msg/s\n`);
  }

  finish(): void {
    if (this.timer) clearInterval(this.timer);
    const seconds = Math.max(0.001, (Date.now() - this.startedMs) / 1000);
    const mib = this.bytes / (1024 * 1024);
    process.stderr.write(
      `${this.verb} ${this.count} messages in ${seconds.toFixed(2)} s: ${(this.count / seconds).toFixed(0)} msg/s, ${(mib / seconds).toFixed(2)} MiB/s\n`,
    );
  }
}

/** A positive integer flag, or an error naming the flag. */
export function positiveInt(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`--${flag} must be a positive integer, not "${value}"`);
  return n;
}

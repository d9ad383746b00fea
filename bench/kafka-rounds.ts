/**
 * Figures of bench:kafka's throughput part over several rounds (BENCH_ROUNDS, default 3), each on
 * fresh topics of the same broker. A round is ~1 s per figure on 2 shared vCPUs with 1-12 % steal,
 * and one round moved by up to 2x between runs of the same code (docs/broker.md); the median of
 * the rounds is printed as the figure, every round's value on a `#` line above it, so nothing is
 * hidden. The first round also carries the broker's JIT warm-up.
 */
import { result } from './kafka-bench-support';

export class RoundFigures {
  private readonly values = new Map<string, { unit: string; perRound: number[] }>();

  /** A figure of the current round. */
  add(name: string, value: number, unit: string): void {
    const entry = this.values.get(name) ?? { unit, perRound: [] };
    entry.perRound.push(value);
    this.values.set(name, entry);
  }

  /** The value of `name` in every round so far. */
  rounds(name: string): number[] {
    return this.values.get(name)?.perRound ?? [];
  }

  /** Prints every figure: its rounds as a comment, then the median as the RESULT line. */
  print(): void {
    for (const [name, { unit, perRound }] of this.values) {
      if (perRound.length > 1) process.stdout.write(`# ${name} per round: ${perRound.map((v) => v.toFixed(2)).join(' ')}\n`);
      result(name, median(perRound), unit);
    }
  }
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

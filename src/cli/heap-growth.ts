/**
 * Sets V8's heap growing factor for the broker's process (config runtime.heapGrowingPercent,
 * default PROCESS_LIMITS.heapGrowingPercent).
 *
 * Why at run time, through v8.setFlagsFromString: V8 reads the flag each time it recomputes its
 * old-generation limit (after every mark-compact), so setting it as the broker starts (run-broker.ts) governs
 * every limit after the start-up collection, however the process was started (`npx tributary`,
 * `npm start`, the Docker image, tests and benchmarks spawning `node scripts/tributary.cjs`). A
 * `--heap-growing-percent` given to node on its command line is left as it is.
 */
import { setFlagsFromString } from 'node:v8';

/** The percent to set: null when it is 0 (V8's own heuristic) or node's command line already sets it. */
export function heapGrowingPercentToSet(percent: number, execArgv: readonly string[]): number | null {
  if (execArgv.some((arg) => /^--heap[-_]growing[-_]percent(=|$)/.test(arg))) return null;
  return percent === 0 ? null : percent;
}

/** Applies `percent` unless heapGrowingPercentToSet() says not to; returns what was set, or null. */
export function applyHeapGrowth(percent: number, execArgv: readonly string[] = process.execArgv): number | null {
  const applied = heapGrowingPercentToSet(percent, execArgv);
  if (applied !== null) setFlagsFromString(`--heap-growing-percent=${applied}`);
  return applied;
}

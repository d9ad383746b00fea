/**
 * Sets V8's heap growing factor for a `tributary` process (PROCESS_LIMITS.heapGrowingPercent).
 *
 * Why at run time: the flag is read each time V8 recomputes its old-generation limit (after every
 * mark-compact), so setting it from the first lines of scripts/tributary.cjs governs every limit
 * after the start-up collection, however the process was started (`npx tributary`, `npm start`,
 * the Docker image, tests and benchmarks spawning `node scripts/tributary.cjs`). A
 * `--heap-growing-percent` given to node on the command line is left as it is.
 */
import { setFlagsFromString } from 'node:v8';
import { PROCESS_LIMITS } from '../limits';

export const HEAP_GROWING_PERCENT_ENV = 'TRIBUTARY_HEAP_GROWING_PERCENT';

/** The percent to set: the environment's, else the default; null when node's command line already sets it or the value is 0. */
export function heapGrowingPercent(env: NodeJS.ProcessEnv, execArgv: readonly string[]): number | null {
  if (execArgv.some((arg) => /^--heap[-_]growing[-_]percent(=|$)/.test(arg))) return null;
  const raw = env[HEAP_GROWING_PERCENT_ENV];
  const percent = raw === undefined || raw === '' ? PROCESS_LIMITS.heapGrowingPercent : Number(raw);
  if (!Number.isInteger(percent) || percent < 0 || percent > 10_000) {
    throw new Error(`${HEAP_GROWING_PERCENT_ENV}=${raw}: expected an integer from 0 (V8's own heuristic) to 10000`);
  }
  return percent === 0 ? null : percent;
}

let applied: number | null = null;

/** Applies heapGrowingPercent(); returns the percent set, or null when nothing was set. */
export function applyHeapGrowth(env: NodeJS.ProcessEnv = process.env, execArgv: readonly string[] = process.execArgv): number | null {
  const percent = heapGrowingPercent(env, execArgv);
  if (percent !== null) setFlagsFromString(`--heap-growing-percent=${percent}`);
  applied = percent;
  return percent;
}

/** What applyHeapGrowth() set in this process (null: nothing, V8's heuristic or node's own flag). */
export function appliedHeapGrowingPercent(): number | null {
  return applied;
}

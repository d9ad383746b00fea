/**
 * Lowers the CPU priority of opendal's runtime threads (its tokio workers and blocking threads,
 * named `tokio-runtime-w` on Linux): they copy every uploaded object and, for fs, write it, about
 * half of an uploaded MiB's CPU. On Linux the nice value is per thread, and
 * `os.setPriority(tid, n)` sets another thread of this process; raising it needs no privilege,
 * lowering it again does, so this only ever raises it (one way, for the process's life).
 *
 * The runtime starts its threads lazily and its blocking threads come and go, so the uploader
 * calls this before each put; a thread created by a reniced one inherits its nice value.
 * These threads serve every opendal call of the process (cloud reads, durability-cloud commits
 * too): at nice 10 they still get about a tenth of a busy core, and all of an idle one.
 * Elsewhere than Linux (no /proc/self/task) it does nothing.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { setPriority } from 'node:os';
import { componentLogger } from '../../log';

const log = componentLogger('tier-runtime-priority');

/** opendal 0.49's napi binding runs on tokio's default runtime: its threads' name, as /proc shows it (15 characters). */
export const RUNTIME_THREAD_NAME = 'tokio-runtime-w';

let warned = false;

/** The nice value of thread `tid` of this process, from /proc (field 19 of its stat); null when it is gone. */
export function threadNice(tid: number): number | null {
  try {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
  } catch {
    return null;
  }
}

/** The ids of this process's threads (empty without /proc). */
function threadIds(): number[] {
  try {
    return readdirSync('/proc/self/task').map(Number);
  } catch {
    return [];
  }
}

/** The ids of this process's threads named `name` (empty without /proc). */
export function threadsNamed(name: string): number[] {
  return threadIds().filter((tid) => threadNamed(tid, name));
}

/** Whether thread `tid` of this process is named `name` (false when it exited). */
function threadNamed(tid: number, name: string): boolean {
  try {
    return readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trimEnd() === name;
  } catch {
    return false;
  }
}

/**
 * Threads already looked at, by id: the nice value a runtime thread was found at or raised to,
 * Infinity for a thread of another name. Called before every put (cloud commits: 20 a second),
 * so only threads not seen before cost a read of /proc; an id that left the listing is forgotten
 * (the kernel may give it to a new thread).
 */
const seen = new Map<number, number>();

/** Raises every opendal runtime thread's nice value to at least `nice`; returns how many it changed. */
export function lowerRuntimeThreadsPriority(nice: number): number {
  if (nice <= 0) return 0;
  const live = new Set(threadIds());
  for (const tid of seen.keys()) if (!live.has(tid)) seen.delete(tid);
  let changed = 0;
  for (const tid of live) {
    if ((seen.get(tid) ?? -Infinity) >= nice) continue;
    const current = threadNamed(tid, RUNTIME_THREAD_NAME) ? threadNice(tid) : Infinity;
    if (current === null) continue;
    if (current >= nice) {
      seen.set(tid, current);
      continue;
    }
    try {
      setPriority(tid, nice);
      seen.set(tid, nice);
      changed++;
    } catch (err) {
      // A thread that exited meanwhile (ESRCH), or a system that refuses: uploads run at the broker's priority.
      if (!warned && (err as NodeJS.ErrnoException).code !== 'ESRCH') {
        warned = true;
        log.warn({ err, nice }, 'could not lower the priority of opendal\'s threads; uploads run at the broker\'s priority');
      }
    }
  }
  return changed;
}

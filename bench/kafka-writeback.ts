/**
 * The kernel's dirty and writeback page counts (/proc/meminfo) around a latency probe. An
 * fdatasync on ext4 waits for the journal commit, and a commit waits for the data of every file
 * whose blocks it allocates, so hundreds of MB written back by the kernel (its 30 s
 * dirty_expire_centisecs) delay every fsync `always` acknowledgement meanwhile. These figures
 * say whether a probe ran in such a moment (ours or another process's).
 */
import { readFileSync } from 'node:fs';

export interface WritebackSample {
  dirtyMb: number;
  writebackMb: number;
}

export function writebackNow(): WritebackSample {
  const meminfo = readFileSync('/proc/meminfo', 'utf8');
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(meminfo)?.[1] ?? NaN);
  return { dirtyMb: kb('Dirty') / 1024, writebackMb: kb('Writeback') / 1024 };
}

/** Samples every `everyMs` until stopped; returns the largest Dirty and Writeback seen. */
export function watchWriteback(everyMs = 100): () => WritebackSample {
  const peak = writebackNow();
  const timer = setInterval(() => {
    const now = writebackNow();
    peak.dirtyMb = Math.max(peak.dirtyMb, now.dirtyMb);
    peak.writebackMb = Math.max(peak.writebackMb, now.writebackMb);
  }, everyMs);
  return () => {
    clearInterval(timer);
    return peak;
  };
}

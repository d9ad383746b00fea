/**
 * Linux pressure stall information (/proc/pressure/cpu and io, "some" line): the share of a
 * probe's wall time during which at least one runnable task waited for a core, or one task for
 * I/O. On 2 cores shared with other work, a latency probe's tail follows these more than the
 * broker's code; printed next to the figures so a run can be judged.
 */
import { existsSync, readFileSync } from 'node:fs';

function stalledUs(resource: 'cpu' | 'io'): number {
  const path = `/proc/pressure/${resource}`;
  if (!existsSync(path)) return NaN;
  const some = /^some .*total=(\d+)/m.exec(readFileSync(path, 'utf8'));
  return some ? Number(some[1]) : NaN;
}

/** Starts counting; the returned function gives the stalled share (0..1) of cpu and io since. */
export function watchPressure(): () => { cpu: number; io: number } {
  const startedNs = process.hrtime.bigint();
  const cpu = stalledUs('cpu');
  const io = stalledUs('io');
  return () => {
    const elapsedUs = Number(process.hrtime.bigint() - startedNs) / 1000;
    return { cpu: (stalledUs('cpu') - cpu) / elapsedUs, io: (stalledUs('io') - io) / elapsedUs };
  };
}

/**
 * Drops WAL bytes that are already durable from the kernel's page cache
 * (posix_fadvise(POSIX_FADV_DONTNEED), through the `fadvise` addon: Node has no binding).
 *
 * Why: a write into a file grows the page cache by fresh pages, and on a VM whose memory the
 * host backs lazily (these Firecracker machines, which also hand freed memory back) touching a
 * fresh page costs a fault in the host: writing 1 MB of new file data cost 3-4 ms of kernel CPU
 * (`copy_folio_from_iter_atomic`, 63 % of the broker's CPU during a 1 KiB kcat produce) against
 * 0.2 ms for pages the kernel already had. Pages this drops are reused by the next writes
 * (python on this disk, 300 MB in 1 MB writes, fdatasync every 16 MB: 0.38-1.32 s of system time
 * without, 0.12-0.18 s with the synced range dropped). On any machine it also keeps a produce-heavy
 * broker from filling memory with data only lagging readers want.
 *
 * Only clean pages go: the caller drops what an fdatasync made durable, so nothing unsynced is
 * touched, and it keeps the newest STORAGE_LIMITS.pageCacheKeepBytes of the segment cached for
 * readers just behind the tip (a group restarting); readers at the tip are served by the tail
 * cache. An older read comes from the disk (1.3-1.5 GB/s cold here), and on this VM pays the
 * host's fault for the page it lands in: a drop moves that cost from every write to the reads of
 * old data (perf of a cold 100 MB consume: `_copy_to_iter` 42 % of the broker's CPU).
 */
import { componentLogger } from '../../log';

interface FadviseBinding {
  posix_fadvise(fd: number, offset: number, length: number, advice: number): number;
  failed_to_load?: boolean;
  POSIX_FADV_DONTNEED: number;
}

const PAGE_BYTES = 4096;

// The addon ships no types; this is its whole surface.
const binding = require('fadvise') as FadviseBinding;

/** Whether the addon loaded (it builds with node-gyp at install; without it nothing is dropped). */
export const pageCacheDropAvailable = !binding.failed_to_load && process.platform === 'linux';

if (!pageCacheDropAvailable && process.platform === 'linux') {
  componentLogger('wal').warn('the fadvise addon did not load: written WAL data stays in the page cache');
}

/** The start of the page holding byte `bytes` (a drop never reaches into a partial page). */
export function pageFloor(bytes: number): number {
  return bytes - (bytes % PAGE_BYTES);
}

/**
 * Asks the kernel to drop the cached pages of `[fromBytes, toBytes)` of `fd`. Returns whether it
 * was asked: false when the addon is missing or the call failed (then the pages simply stay).
 */
export function dropFromPageCache(fd: number, fromBytes: number, toBytes: number): boolean {
  if (!pageCacheDropAvailable || toBytes <= fromBytes) return false;
  return binding.posix_fadvise(fd, fromBytes, toBytes - fromBytes, binding.POSIX_FADV_DONTNEED) === 0;
}

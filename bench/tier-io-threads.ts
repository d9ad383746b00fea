/**
 * Imported first by bench/tier.ts: what the `tributary` command (scripts/tributary.cjs) gives the
 * broker's process, so the storage engine runs here as it does there:
 * - the libuv thread pool (STORAGE_LIMITS.ioThreadsDefault unless UV_THREADPOOL_SIZE is set), so
 *   WAL writes and the uploader's reads queue as they would in the broker. libuv sizes the pool
 *   at its first use, which no import before this one makes;
 * - V8's heap growing factor (src/cli/heap-growth.ts), the config's runtime.heapGrowingPercent
 *   (TRIBUTARY_RUNTIME_HEAP_GROWING_PERCENT=0 for V8's own heuristic).
 */
import { applyHeapGrowth } from '../src/cli/heap-growth';
import { loadConfig } from '../src/config/load';
import { STORAGE_LIMITS } from '../src/limits';

if (!process.env.UV_THREADPOOL_SIZE) process.env.UV_THREADPOOL_SIZE = String(STORAGE_LIMITS.ioThreadsDefault);
applyHeapGrowth(loadConfig({}).runtime.heapGrowingPercent);

/**
 * Imported first by bench/tier.ts: the libuv thread pool the `tributary` command gives the broker
 * (STORAGE_LIMITS.ioThreadsDefault unless UV_THREADPOOL_SIZE is set, see scripts/tributary.cjs),
 * so WAL writes and the uploader's reads queue as they would in the broker. libuv sizes the pool
 * at its first use, which no import before this one makes.
 */
import { STORAGE_LIMITS } from '../src/limits';

if (!process.env.UV_THREADPOOL_SIZE) process.env.UV_THREADPOOL_SIZE = String(STORAGE_LIMITS.ioThreadsDefault);

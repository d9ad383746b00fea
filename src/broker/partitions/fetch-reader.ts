/**
 * Reads for a Fetch across partitions, codec-free: whole batches from the one containing each
 * fetch offset, a response-wide byte budget that still lets the first non-empty partition return
 * one whole batch (KIP-74), and a long poll that parks until min_bytes are available, an append
 * wakes it, max_wait_ms passes, or the broker shuts down.
 */
import { KAFKA_BROKER_LIMITS } from '../../limits';
import type { Partition } from './partition';

export interface FetchTarget {
  /** Resolves the partition or rejects with a DomainError (unknown topic, not leader...). */
  partition: Promise<Partition>;
  fetchOffset: bigint;
  partitionMaxBytes: number;
}

export interface FetchedPartition {
  error: unknown | null;
  highWatermark: bigint;
  logStartOffset: bigint;
  /** Stored batches, back to back; empty array when none. */
  chunks: Buffer[];
  bytes: number;
}

export interface FetchOptions {
  maxBytes: number;
  minBytes: number;
  maxWaitMs: number;
  /** Aborted on shutdown: parked fetches answer at once. */
  shutdown: AbortSignal;
}

let parkedFetches = 0;

export async function fetchPartitions(targets: FetchTarget[], options: FetchOptions): Promise<FetchedPartition[]> {
  const partitions = await Promise.all(targets.map((t) => t.partition.then((p) => p, (err: unknown) => err)));
  const deadline = Date.now() + options.maxWaitMs;
  for (;;) {
    const results = await readOnce(targets, partitions, options.maxBytes);
    const bytes = results.reduce((sum, r) => sum + r.bytes, 0);
    const waitMs = deadline - Date.now();
    const anyError = results.some((r) => r.error !== null);
    if (bytes >= options.minBytes || anyError || waitMs <= 0 || options.shutdown.aborted) return results;
    if (parkedFetches >= KAFKA_BROKER_LIMITS.parkedFetchesMax) return results;
    await waitForAppend(partitions.filter((p): p is Partition => !(p instanceof Error) && isPartition(p)), waitMs, options.shutdown);
  }
}

function isPartition(p: unknown): p is Partition {
  return typeof p === 'object' && p !== null && typeof (p as Partition).onAppend === 'function';
}

async function readOnce(targets: FetchTarget[], partitions: unknown[], maxBytes: number): Promise<FetchedPartition[]> {
  const budget = Math.min(maxBytes, KAFKA_BROKER_LIMITS.fetchResponseBytesMax);
  let used = 0;
  const out: FetchedPartition[] = [];
  for (let i = 0; i < targets.length; i++) {
    const p = partitions[i];
    if (!isPartition(p)) {
      out.push({ error: p, highWatermark: -1n, logStartOffset: -1n, chunks: [], bytes: 0 });
      continue;
    }
    const highWatermark = p.highWatermark();
    const logStartOffset = p.logStartOffset();
    const remaining = budget - used;
    // KIP-74: once some data is in the response, a partition gets data only within the budget.
    if ((remaining <= 0 && used > 0) || targets[i].fetchOffset === highWatermark) {
      out.push({ error: null, highWatermark, logStartOffset, chunks: [], bytes: 0 });
      continue;
    }
    try {
      const read = await p.read(targets[i].fetchOffset, Math.max(1, Math.min(targets[i].partitionMaxBytes, remaining)));
      if (used > 0 && used + read.bytes > budget) {
        out.push({ error: null, highWatermark, logStartOffset, chunks: [], bytes: 0 });
        continue;
      }
      used += read.bytes;
      out.push({ error: null, highWatermark: p.highWatermark(), logStartOffset, chunks: read.chunks, bytes: read.bytes });
    } catch (err) {
      out.push({ error: err, highWatermark, logStartOffset, chunks: [], bytes: 0 });
    }
  }
  return out;
}

function waitForAppend(partitions: Partition[], waitMs: number, shutdown: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    parkedFetches++;
    const unsubscribes: Array<() => void> = [];
    const done = () => {
      clearTimeout(timer);
      shutdown.removeEventListener('abort', done);
      for (const u of unsubscribes) u();
      unsubscribes.length = 0;
      parkedFetches--;
      resolve();
    };
    let fired = false;
    const once = () => {
      if (fired) return;
      fired = true;
      done();
    };
    const timer = setTimeout(once, waitMs);
    shutdown.addEventListener('abort', once);
    for (const p of partitions) unsubscribes.push(p.onAppend(once));
  });
}

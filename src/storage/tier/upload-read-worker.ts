/**
 * The upload's reads of sealed WAL bytes, done in a worker thread that runs at a lower CPU
 * priority than the broker's hot path (Linux nice, per thread): a synchronous pread straight
 * into the object being built (a SharedArrayBuffer, see object-builder.ts), then every frame's
 * length bound and IEEE CRC-32 checked where it landed, exactly as frame.ts decodeFrame checks
 * them. The event loop keeps only the frames' offsets and timestamps (raw-frame-read.ts).
 *
 * Why: uploads are background work. On a busy broker the produce (event loop plus the libuv
 * pool's WAL writes) should have the CPU first; a niced thread gets a core only when the hot
 * path leaves one idle, and costs nothing when a core is idle (docs/object-storage.md, session
 * 7; Kafka bounds the same work with copy quotas, KIP-956). The preads are synchronous in this
 * thread so they neither queue behind nor hold up the WAL's writes in the shared libuv pool.
 *
 * The worker is plain JavaScript evaluated from a string, so it starts the same under tsx,
 * compiled code and tests. Its frame check must stay the one in frame.ts (tested against it).
 *
 * Lifetime: started at the first read (a broker with only durability-cloud topics never starts
 * it: the cloud commit loop reads from the tail cache; a start costs about 50 ms of CPU, and in
 * bench:tier a start at tier open, just before the cloud produce, was followed by cloud p99 outliers
 * of 91-357 ms against 57-68 ms without), terminated by close(). A worker that fails or exits
 * rejects every read in flight with a clear error (the upload cycle fails and the upload loop
 * retries it with backoff); the next read starts a new worker. It never keeps the process
 * alive while idle.
 */
import { Worker } from 'node:worker_threads';
import { STORAGE_LIMITS, TIER_LIMITS } from '../../limits';
import { componentLogger } from '../../log';
import { StorageError } from '../errors';
import type { FramesReadElsewhere, FramesReadRequest, FramesReadReply } from '../wal/raw-frame-read';

const log = componentLogger('tier-upload-read-worker');

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { readSync, readlinkSync } = require('node:fs');
const { setPriority } = require('node:os');
const { crc32 } = require(workerData.crcModule);
const HEADER = 16;
let tid = null;
try { tid = Number(readlinkSync('/proc/thread-self').split('/').pop()); } catch {}
let niceError = null;
// On Linux the nice value is per thread: pid 0 names this thread only, never the event loop.
if (workerData.nice > 0) { try { setPriority(0, workerData.nice); } catch (err) { niceError = err.message; } }
parentPort.postMessage({ ready: true, tid, niceError });
function check(bytes, from, filled) {
  const frames = [];
  let pos = 0;
  while (pos < filled) {
    const at = from + pos;
    if (filled - pos < HEADER) return { frames, stop: { kind: 'need-more', at: pos, bytesNeeded: HEADER } };
    const length = bytes.readUInt32BE(at + 8);
    if (length === 0 || length > workerData.batchBytesMax) {
      return { frames, stop: { kind: 'bad', at: pos, reason: 'frame length ' + length + ' is outside [1, ' + workerData.batchBytesMax + ']' } };
    }
    const frameBytes = HEADER + length;
    if (filled - pos < frameBytes) return { frames, stop: { kind: 'need-more', at: pos, bytesNeeded: frameBytes } };
    const stored = bytes.readUInt32BE(at + 12);
    const actual = crc32(bytes.subarray(at + HEADER, at + frameBytes), crc32(bytes.subarray(at, at + 12))) >>> 0;
    if (stored !== actual) return { frames, stop: { kind: 'bad', at: pos, reason: 'crc mismatch (stored ' + stored + ', computed ' + actual + ')' } };
    frames.push(frameBytes);
    pos += frameBytes;
  }
  return { frames, stop: null };
}
parentPort.on('message', ({ id, memory, memoryPos, fd, filePos, length }) => {
  try {
    const bytes = Buffer.from(memory);
    if (memoryPos < 0 || memoryPos + length > bytes.length) throw new RangeError('read of ' + length + ' bytes at ' + memoryPos + ' is outside the ' + bytes.length + '-byte object buffer');
    let filled = 0;
    while (filled < length) {
      const n = readSync(fd, bytes, memoryPos + filled, length - filled, filePos + filled);
      if (n === 0) break;
      filled += n;
    }
    const { frames, stop } = check(bytes, memoryPos, filled);
    parentPort.postMessage({ id, bytesRead: filled, frameBytes: frames, stop });
  } catch (err) {
    parentPort.postMessage({ id, error: { message: err.message, code: err.code } });
  }
});
`;

interface Pending {
  resolve(reply: FramesReadReply): void;
  reject(error: Error): void;
}

/** What the worker thread reported when it started: its Linux thread id and whether lowering its priority failed. */
export interface UploadReadThread {
  tid: number | null;
  niceError: string | null;
}

export class UploadReadWorker implements FramesReadElsewhere {
  private worker: Worker | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private closed = false;
  /** Set once the current worker has started (tests read its nice value through /proc). */
  thread: UploadReadThread | null = null;

  /** `nice`: the worker thread's nice value (0: the broker's own priority). */
  constructor(readonly nice: number) {}

  read(request: FramesReadRequest): Promise<FramesReadReply> {
    if (this.closed) return Promise.reject(new StorageError('LOG_CLOSED', 'the upload read worker is closed'));
    if (this.pending.size >= TIER_LIMITS.uploadReadsInFlightMax) {
      return Promise.reject(new StorageError('STORAGE_IO', `more than ${TIER_LIMITS.uploadReadsInFlightMax} upload reads in flight`));
    }
    const worker = this.worker ?? this.start();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.ref();
      worker.postMessage({ id, ...request });
    });
  }

  /** Terminates the worker; reads in flight are rejected. */
  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    if (!worker) return;
    this.fail(worker, new StorageError('LOG_CLOSED', 'the uploader closed during an upload read'));
    await worker.terminate();
  }

  private start(): Worker {
    // execArgv []: the worker is plain JavaScript; inheriting the process's flags (`--import tsx`
    // under tests and benches) would load a TypeScript loader into it for nothing (~0.1 s of CPU).
    const worker = new Worker(WORKER_SOURCE, {
      eval: true, execArgv: [], workerData: { crcModule: require.resolve('@node-rs/crc32'), nice: this.nice, batchBytesMax: STORAGE_LIMITS.batchBytesMax },
    });
    worker.unref();
    worker.on('message', (reply: FramesReadReply & { id?: number; ready?: boolean; error?: { message: string; code?: string } } & Partial<UploadReadThread>) => {
      if (reply.ready) {
        this.thread = { tid: reply.tid ?? null, niceError: reply.niceError ?? null };
        if (reply.niceError) log.warn({ nice: this.nice, reason: reply.niceError }, 'the upload read worker runs at the broker\'s priority: lowering it failed');
        return;
      }
      const read = this.pending.get(reply.id!);
      this.pending.delete(reply.id!);
      if (this.pending.size === 0) worker.unref();
      if (!read) return;
      if (reply.error) {
        const cause = Object.assign(new Error(reply.error.message), { code: reply.error.code });
        read.reject(new StorageError('STORAGE_IO', `upload read failed: ${reply.error.message}`, { cause }));
      } else {
        read.resolve(reply);
      }
    });
    worker.on('error', (err) => this.fail(worker, new StorageError('STORAGE_IO', `the upload read worker failed: ${err.message}`, { cause: err })));
    worker.on('exit', (code) => this.fail(worker, new StorageError('STORAGE_IO', `the upload read worker exited (code ${code})`)));
    this.worker = worker;
    return worker;
  }

  /** Rejects every read in flight on `worker` and forgets it (a later read starts a new one). */
  private fail(worker: Worker, error: Error): void {
    if (this.worker !== worker) return;
    this.worker = null;
    this.thread = null;
    const reads = [...this.pending.values()];
    this.pending.clear();
    for (const read of reads) read.reject(error);
    void worker.terminate();
  }
}

/**
 * Checks the WAL frame CRCs of an object being built in a worker thread, off the event loop.
 *
 * Why: the broker's produce is bound by its event loop, and checking every uploaded frame's CRC
 * there was about half of the upload's main-thread time (docs/object-storage.md, session 5).
 * The object buffer is a SharedArrayBuffer (object-builder.ts), so one message per cycle carries
 * only the frames' (position, length) pairs: nothing is copied. The worker computes each frame's
 * IEEE CRC-32 as frame.ts does (12 header bytes, then the batch) and compares it with the stored one.
 *
 * The CRC comes from @node-rs/crc32 (N-API, so it loads in any thread; sse4_crc32 is not needed
 * here: the frame CRC is IEEE CRC-32, not CRC-32C). The worker is plain JavaScript evaluated from
 * this string, so it starts the same under tsx, compiled code and tests.
 *
 * Lifetime: started at the first check, terminated by close(). A worker that fails or exits
 * rejects every check in flight with a clear error (the uploader's cycle fails and is retried
 * by the upload loop); the next check starts a new worker. It never keeps the process alive
 * while idle.
 */
import { Worker } from 'node:worker_threads';
import { TIER_LIMITS } from '../../limits';
import { StorageError } from '../errors';

/** The first frame whose stored CRC is not the CRC of its bytes. */
export interface FrameCrcMismatch {
  position: number;
  stored: number;
  actual: number;
}

interface PendingCheck {
  resolve(mismatch: FrameCrcMismatch | null): void;
  reject(error: Error): void;
}

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { crc32 } = require(workerData.crcModule);
parentPort.on('message', ({ id, memory, frames }) => {
  const bytes = Buffer.from(memory);
  for (let i = 0; i < frames.length; i += 2) {
    const position = frames[i];
    const end = position + frames[i + 1];
    if (frames[i + 1] < 16 || end > bytes.length) throw new RangeError('frame at ' + position + ' of ' + frames[i + 1] + ' bytes is outside the ' + bytes.length + '-byte object buffer');
    const actual = crc32(bytes.subarray(position + 16, end), crc32(bytes.subarray(position, position + 12))) >>> 0;
    const stored = bytes.readUInt32BE(position + 12);
    if (actual !== stored) {
      parentPort.postMessage({ id, mismatch: { position, stored, actual } });
      return;
    }
  }
  parentPort.postMessage({ id, mismatch: null });
});
`;

export class FrameCrcWorker {
  private worker: Worker | null = null;
  private readonly pending = new Map<number, PendingCheck>();
  private nextId = 0;
  private closed = false;

  /** Whether another check may start now (TIER_LIMITS.frameCrcChecksPendingMax); else check inline. */
  get hasRoom(): boolean {
    return !this.closed && this.pending.size < TIER_LIMITS.frameCrcChecksPendingMax;
  }

  /**
   * Checks the frames at `frames` = [position, frameBytes, ...] of `memory`; resolves with the
   * first mismatch or null. `memory` must not change until this settles. `frames` is transferred.
   */
  check(memory: SharedArrayBuffer, frames: Uint32Array): Promise<FrameCrcMismatch | null> {
    if (!this.hasRoom) {
      return Promise.reject(new StorageError(this.closed ? 'LOG_CLOSED' : 'STORAGE_IO', this.closed ? 'the frame CRC worker is closed' : `more than ${TIER_LIMITS.frameCrcChecksPendingMax} frame CRC checks in flight`));
    }
    const worker = this.worker ?? this.start();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.ref();
      worker.postMessage({ id, memory, frames }, [frames.buffer as ArrayBuffer]);
    });
  }

  /** Terminates the worker; checks in flight are rejected. */
  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    if (!worker) return;
    this.fail(worker, new StorageError('LOG_CLOSED', 'the uploader closed during a frame CRC check'));
    await worker.terminate();
  }

  private start(): Worker {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { crcModule: require.resolve('@node-rs/crc32') } });
    worker.unref();
    worker.on('message', (reply: { id: number; mismatch: FrameCrcMismatch | null }) => {
      const check = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if (this.pending.size === 0) worker.unref();
      check?.resolve(reply.mismatch);
    });
    worker.on('error', (err) => this.fail(worker, new StorageError('STORAGE_IO', `the frame CRC worker failed: ${err.message}`, { cause: err })));
    worker.on('exit', (code) => this.fail(worker, new StorageError('STORAGE_IO', `the frame CRC worker exited (code ${code})`)));
    this.worker = worker;
    return worker;
  }

  /** Rejects every check in flight on `worker` and forgets it (a later check starts a new one). */
  private fail(worker: Worker, error: Error): void {
    if (this.worker !== worker) return;
    this.worker = null;
    const checks = [...this.pending.values()];
    this.pending.clear();
    for (const check of checks) check.reject(error);
    void worker.terminate();
  }
}

import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { CoordinationError } from '../errors';
import type { CommitRecord } from './kv-state';
import { decodeLog } from './record-codec';
import { FsyncCounter, syncDirectory } from './durable-file';

export const LOG_FILE = 'txn.log';

export interface TxnLogOptions {
  groupCommitWindowMs: number;
  pendingCommitsMax: number;
  /** Runs after each durable batch with nothing else writing: the place to snapshot and restart the log. */
  betweenBatches: (log: TxnLog) => Promise<void>;
}

interface PendingFrame {
  frame: Buffer;
  onDurable: () => void;
  resolve: () => void;
  reject: (error: Error) => void;
}

/**
 * The append-only log of committed transactions with group commit: frames appended while a
 * write+fdatasync is in flight wait and share the next one, so N concurrent commits cost far
 * fewer than N fsyncs. A commit resolves only after the fdatasync covering it.
 */
export class TxnLog {
  private pending: PendingFrame[] = [];
  private flushing = false;
  private tail: Promise<void> = Promise.resolve();
  private failure: Error | null = null;
  private idleWaiters: Array<() => void> = [];
  private lastFlushEndMs = 0;

  private constructor(
    private readonly handle: FileHandle,
    private size: number,
    private readonly fsyncs: FsyncCounter,
    private readonly options: TxnLogOptions,
  ) {}

  /** Opens the log, truncating a torn tail, and returns the records it holds. */
  static async open(dir: string, fsyncs: FsyncCounter, options: TxnLogOptions): Promise<{ log: TxnLog; records: CommitRecord[] }> {
    const handle = await open(join(dir, LOG_FILE), 'a+');
    try {
      const { records, validBytes } = decodeLog(await handle.readFile());
      const { size } = await handle.stat();
      if (validBytes < size) {
        await handle.truncate(validBytes);
        await handle.sync();
        fsyncs.count += 1;
      }
      await syncDirectory(dir, fsyncs);
      return { log: new TxnLog(handle, validBytes, fsyncs, options), records };
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  get bytes(): number {
    return this.size;
  }

  /** Throws unless a frame can be appended now: call before changing state that the frame records. */
  checkWritable(): void {
    if (this.failure) throw this.failure;
    if (this.pending.length >= this.options.pendingCommitsMax) {
      throw new CoordinationError('STORE_OVERLOADED',
        `${this.pending.length} metadata commits already wait for fsync (embeddedPendingCommitsMax)`);
    }
  }

  /** Queues a frame; onDurable runs (in append order) right after its fdatasync, before resolving. */
  append(frame: Buffer, onDurable: () => void): Promise<void> {
    this.checkWritable();
    const promise = new Promise<void>((resolve, reject) => this.pending.push({ frame, onDurable, resolve, reject }));
    this.tail = promise.catch(() => undefined);
    if (!this.flushing) {
      this.flushing = true;
      this.scheduleFlush();
    }
    return promise;
  }

  /** Resolves once everything appended so far is durable (or has failed). */
  whenDurable(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    return this.tail;
  }

  /** Empties the log: called by the between-batches hook after a snapshot covers every record. */
  async restart(): Promise<void> {
    await this.handle.truncate(0);
    await this.handle.datasync();
    this.fsyncs.count += 1;
    this.size = 0;
  }

  async close(): Promise<void> {
    if (this.flushing) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    await this.handle.close();
  }

  /**
   * Under load (a flush ended within the window) the next flush waits out the window so the
   * commits arriving meanwhile share one fdatasync; an isolated commit is flushed at once (after
   * this event-loop turn, so commits issued together still share it).
   */
  private scheduleFlush(): void {
    const windowMs = this.options.groupCommitWindowMs;
    if (windowMs > 0 && Date.now() - this.lastFlushEndMs < windowMs) {
      setTimeout(() => void this.flush(), windowMs);
    } else {
      setImmediate(() => void this.flush());
    }
  }

  /** One batch: everything pending now. Commits queued meanwhile get the next scheduled flush. */
  private async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    await this.writeBatch(batch);
    if (!this.failure) await this.runBetweenBatches();
    this.lastFlushEndMs = Date.now();
    if (this.pending.length > 0 && !this.failure) {
      this.scheduleFlush();
      return;
    }
    this.flushing = false;
    for (const waiter of this.idleWaiters.splice(0)) waiter();
  }

  private async writeBatch(batch: PendingFrame[]): Promise<void> {
    const data = Buffer.concat(batch.map((entry) => entry.frame));
    try {
      // 'a+' appends at the end whatever the position; size tracks it for compaction.
      for (let written = 0; written < data.length;) {
        written += (await this.handle.write(data, written, data.length - written)).bytesWritten;
      }
      await this.handle.datasync();
      this.fsyncs.count += 1;
      this.size += data.length;
    } catch (cause) {
      this.fail(new CoordinationError('STORE_FAILED', `metadata log write failed: ${(cause as Error).message}`, { cause }), batch);
      return;
    }
    for (const entry of batch) entry.onDurable();
    for (const entry of batch) entry.resolve();
  }

  private async runBetweenBatches(): Promise<void> {
    try {
      await this.options.betweenBatches(this);
    } catch (cause) {
      this.fail(new CoordinationError('STORE_FAILED', `metadata snapshot failed: ${(cause as Error).message}`, { cause }), []);
    }
  }

  /** After a failed write the in-memory state is ahead of the disk: refuse everything from now on. */
  private fail(error: Error, batch: PendingFrame[]): void {
    this.failure = error;
    for (const entry of [...batch, ...this.pending.splice(0)]) entry.reject(error);
  }
}

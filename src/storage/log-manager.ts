/**
 * Opens and deletes the partition logs of a broker under one data directory
 * (`<dataDir>/<topic>-<partition>/`), all sharing one group-commit loop and one tail cache,
 * and applies retention to every open log periodically.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { componentLogger, Logger } from '../log';
import { STORAGE_LIMITS } from '../limits';
import { StorageError } from './errors';
import { FlushScheduler, FlushSchedulerOptions } from './flush-scheduler';
import { TailCache } from './tail-cache';
import { syncDirectory } from './wal/segment';
import type { WalLogConfig } from './wal/wal-config';
import { WalPartitionLog } from './wal/wal-partition-log';

export interface LogManagerOptions {
  dataDir: string;
  tailCacheBytes?: number;
  retentionCheckIntervalMs?: number;
  groupCommit?: FlushSchedulerOptions;
  clock?: () => number;
  logger?: Logger;
}

export class LogManager {
  private readonly logs = new Map<string, Promise<WalPartitionLog>>();
  private readonly scheduler: FlushScheduler;
  private readonly cache: TailCache;
  private readonly clock: () => number;
  private readonly logger: Logger;
  private readonly retentionTimer: NodeJS.Timeout;
  private closed = false;

  constructor(private readonly options: LogManagerOptions) {
    this.clock = options.clock ?? Date.now;
    this.logger = options.logger ?? componentLogger('storage');
    this.scheduler = new FlushScheduler({ clock: this.clock, ...options.groupCommit });
    this.cache = new TailCache(options.tailCacheBytes ?? STORAGE_LIMITS.tailCacheBytesMax);
    this.retentionTimer = setInterval(() => void this.applyRetention(), options.retentionCheckIntervalMs ?? STORAGE_LIMITS.retentionCheckIntervalMs);
    this.retentionTimer.unref();
  }

  /** The directory of a partition's log. */
  partitionDir(topic: string, partition: number): string {
    if (!/^[A-Za-z0-9._-]{1,249}$/.test(topic) || topic === '.' || topic === '..') {
      throw new StorageError('INVALID_ARGUMENT', `topic name ${JSON.stringify(topic)} cannot name a directory`);
    }
    if (!Number.isInteger(partition) || partition < 0) throw new StorageError('INVALID_ARGUMENT', `bad partition ${partition}`);
    return join(this.options.dataDir, `${topic}-${partition}`);
  }

  /** Opens (recovering) or creates a partition's log; the same log while it stays open. */
  open(topic: string, partition: number, config: WalLogConfig): Promise<WalPartitionLog> {
    if (this.closed) return Promise.reject(new StorageError('LOG_CLOSED', 'the log manager is closed'));
    let dir: string;
    try {
      dir = this.partitionDir(topic, partition);
    } catch (err) {
      return Promise.reject(err);
    }
    let opening = this.logs.get(dir);
    if (!opening) {
      opening = WalPartitionLog.open(dir, config, {
        scheduler: this.scheduler,
        cache: this.cache,
        clock: this.clock,
        logger: this.logger.child({ topic, partition }),
        onClosed: () => {
          if (this.logs.get(dir) === opening) this.logs.delete(dir);
        },
      });
      this.logs.set(dir, opening);
      opening.catch(() => this.logs.delete(dir));
    }
    return opening;
  }

  /** Closes the partition's log if open and deletes its directory. */
  async delete(topic: string, partition: number): Promise<void> {
    const dir = this.partitionDir(topic, partition);
    const opening = this.logs.get(dir);
    this.logs.delete(dir);
    if (opening) await (await opening.catch(() => null))?.close();
    await rm(dir, { recursive: true, force: true });
    // A crash must not bring the directory back (a topic recreated under the same name would see old data).
    await syncDirectory(this.options.dataDir).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    });
  }

  /** Closes the partition's log (if open), keeping its data. */
  async closeLog(topic: string, partition: number): Promise<void> {
    const dir = this.partitionDir(topic, partition);
    const opening = this.logs.get(dir);
    this.logs.delete(dir);
    if (opening) await (await opening.catch(() => null))?.close();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.retentionTimer);
    const all = [...this.logs.values()];
    this.logs.clear();
    await Promise.all(all.map(async (p) => (await p.catch(() => null))?.close()));
    this.scheduler.close();
  }

  /** One retention pass over every open log. */
  async applyRetention(): Promise<void> {
    const nowMs = this.clock();
    for (const [dir, opening] of this.logs) {
      try {
        await (await opening).applyRetention(nowMs);
      } catch (err) {
        this.logger.error({ err, dir }, 'retention failed');
      }
    }
  }
}

/**
 * Opens and deletes the partition logs of a broker under one data directory
 * (`<dataDir>/<topic>-<partition>/`), all sharing one group-commit loop and one tail cache,
 * and applies retention to every open log periodically.
 *
 * Deleting renames the directory to `<topic>-<partition>.<random>-delete` first and removes
 * the renamed one (as Kafka does): a topic deleted and at once created again under its name
 * opens a fresh directory while the old one is still being removed, instead of writing into a
 * directory that `rm -rf` is emptying (acknowledged writes of the new topic would vanish). Such
 * names cannot be partition directories (those end in `-<partition>`); leftovers of a crash
 * are removed when the manager starts.
 */
import { randomBytes } from 'node:crypto';
import { readdir, rename, rm } from 'node:fs/promises';
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

const DOOMED_SUFFIX = '-delete';

export class LogManager {
  private readonly logs = new Map<string, Promise<WalPartitionLog>>();
  /** Directories being closed and renamed away: an open of the same directory waits for it. */
  private readonly deleting = new Map<string, Promise<void>>();
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
    void this.removeLeftovers();
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
    const deleting = this.deleting.get(dir);
    if (deleting) return deleting.catch(() => undefined).then(() => this.open(topic, partition, config));
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

  /** Closes the partition's log if open and deletes its directory (renamed away first, see above). */
  async delete(topic: string, partition: number): Promise<void> {
    const dir = this.partitionDir(topic, partition);
    const previous = this.deleting.get(dir) ?? Promise.resolve();
    const doomed = `${dir}.${randomBytes(6).toString('hex')}${DOOMED_SUFFIX}`;
    const renaming = previous.catch(() => undefined).then(() => this.renameAway(dir, doomed));
    this.deleting.set(dir, renaming);
    try {
      await renaming;
    } finally {
      if (this.deleting.get(dir) === renaming) this.deleting.delete(dir);
    }
    await rm(doomed, { recursive: true, force: true });
  }

  /** Closes the log and renames its directory; durable, so a crash cannot bring it back under its name. */
  private async renameAway(dir: string, doomed: string): Promise<void> {
    const opening = this.logs.get(dir);
    this.logs.delete(dir);
    if (opening) await (await opening.catch(() => null))?.close();
    try {
      await rename(dir, doomed);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    await syncDirectory(this.options.dataDir);
  }

  /** Directories renamed for deletion by a run that crashed before removing them. */
  private async removeLeftovers(): Promise<void> {
    try {
      const names = await readdir(this.options.dataDir);
      for (const name of names.filter((n) => n.endsWith(DOOMED_SUFFIX))) {
        await rm(join(this.options.dataDir, name), { recursive: true, force: true });
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.logger.warn({ err }, 'removing partition directories left for deletion failed');
    }
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

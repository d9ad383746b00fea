/** Opens WAL logs for tests with one shared scheduler and tail cache, a settable clock and silent logs. */
import pino from 'pino';
import { Writable } from 'node:stream';
import type { Logger } from '../../../src/log';
import { FlushScheduler, FlushSchedulerOptions } from '../../../src/storage/flush-scheduler';
import { TailCache } from '../../../src/storage/tail-cache';
import type { WalLogConfig } from '../../../src/storage/wal/wal-config';
import { WalPartitionLog } from '../../../src/storage/wal/wal-partition-log';
import { testBatchFormat } from '../support/test-batch-format';

export class WalTestHarness {
  nowMs = 1_700_000_000_000;
  readonly scheduler: FlushScheduler;
  readonly cache: TailCache;
  /** Every log line the logs wrote, parsed. */
  readonly logLines: Array<Record<string, unknown>> = [];
  readonly logger: Logger;

  constructor(options: { tailCacheBytes?: number; groupCommit?: FlushSchedulerOptions } = {}) {
    const sink = new Writable({
      write: (chunk: Buffer, _encoding, done) => {
        for (const line of chunk.toString().split('\n').filter(Boolean)) this.logLines.push(JSON.parse(line));
        done();
      },
    });
    this.logger = pino({ level: 'warn' }, sink);
    this.scheduler = new FlushScheduler({ clock: () => this.nowMs, ...options.groupCommit });
    this.cache = new TailCache(options.tailCacheBytes ?? 64 * 1024 * 1024);
  }

  async close(): Promise<void> {
    this.scheduler.close();
  }
}

export const defaultTestConfig: WalLogConfig = {
  fsyncPolicy: 'always',
  fsyncIntervalMs: 50,
  segmentBytes: 64 * 1024,
  segmentMs: 7 * 24 * 3600_000,
  retentionBytes: -1,
  retentionMs: -1,
  batchFormat: testBatchFormat,
};

export function openTestWal(harness: WalTestHarness, dir: string, config: Partial<WalLogConfig> = {}): Promise<WalPartitionLog> {
  return WalPartitionLog.open(dir, { ...defaultTestConfig, ...config }, {
    scheduler: harness.scheduler,
    cache: harness.cache,
    clock: () => harness.nowMs,
    logger: harness.logger,
  });
}

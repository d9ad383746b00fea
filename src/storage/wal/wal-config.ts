/**
 * Per-log configuration of the WAL (from the topic's configs) and the broker-wide parts every
 * log shares.
 */
import type { Logger } from '../../log';
import { StorageError } from '../errors';
import type { FlushScheduler } from '../flush-scheduler';
import type { FsyncPolicy, RecoverableBatchFormat } from '../partition-log';
import type { TailCache } from '../tail-cache';

export interface WalLogConfig {
  /** always: an append resolves after an fdatasync covering it; interval: fsync every fsyncIntervalMs; never: the OS decides. */
  fsyncPolicy: FsyncPolicy;
  fsyncIntervalMs: number;
  /** A segment rolls before a frame would take it past this size (a single larger frame still fits alone). */
  segmentBytes: number;
  /** A segment rolls on the first append this long after it was started (or the log opened). */
  segmentMs: number;
  /**
   * Extend the active segment's file to segmentBytes ahead of its frames (sparse), so appends
   * do not grow the file and an fdatasync commits no size change (Kafka's `preallocate`;
   * segment.ts). Trimmed when the segment is sealed or the log closes. Default false here; the
   * broker's topic default is true (config topics.preallocate).
   */
  preallocate?: boolean;
  /** -1 = unlimited. */
  retentionBytes: number;
  /** -1 = unlimited. */
  retentionMs: number;
  batchFormat: RecoverableBatchFormat;
  /** Base offset of the first segment of a log with no segments yet (the tier: offsets continue after uploaded data). */
  initialOffset?: bigint;
  /** Recovery cuts the log at a bad frame in its middle instead of refusing to open. Operator decision. */
  allowMidLogTruncation?: boolean;
  /** Retention deletes only segments wholly below the mark set by markUploaded() (the object-store tier). */
  retentionRequiresUploadMark?: boolean;
}

export interface WalShared {
  scheduler: FlushScheduler;
  cache: TailCache;
  /** ms since epoch; injectable so tests drive rotation and retention by age. */
  clock: () => number;
  logger: Logger;
  /** Called once a log has closed (the manager forgets it). */
  onClosed?: (dir: string) => void;
}

export function checkWalConfig(config: WalLogConfig): void {
  const problems: string[] = [];
  if (!['always', 'interval', 'never'].includes(config.fsyncPolicy)) problems.push(`fsyncPolicy ${config.fsyncPolicy}`);
  if (!(config.fsyncIntervalMs >= 1)) problems.push(`fsyncIntervalMs ${config.fsyncIntervalMs}`);
  if (!(config.segmentBytes >= 1)) problems.push(`segmentBytes ${config.segmentBytes}`);
  if (!(config.segmentMs >= 1)) problems.push(`segmentMs ${config.segmentMs}`);
  if (!(config.retentionBytes >= -1)) problems.push(`retentionBytes ${config.retentionBytes}`);
  if (!(config.retentionMs >= -1)) problems.push(`retentionMs ${config.retentionMs}`);
  if (config.initialOffset !== undefined && config.initialOffset < 0n) problems.push(`initialOffset ${config.initialOffset}`);
  if (problems.length > 0) throw new StorageError('INVALID_ARGUMENT', `bad log config: ${problems.join(', ')}`);
}

/** A segment as the object-store tier sees it (WalPartitionLog.segmentInfos). */
export interface SegmentInfo {
  baseOffset: bigint;
  nextOffset: bigint;
  sizeBytes: number;
  /** Closed for appends and fsynced: safe to upload. */
  sealed: boolean;
  largestTimestampMs: number;
  path: string;
}

/** Counters for tests and metrics. */
export interface WalStats {
  /** writev calls. */
  writes: number;
  /** fdatasync calls (group commits, rolls, interval syncs). */
  syncs: number;
  rolls: number;
  /**
   * ms the fsync `always` sync stage spent waiting for fdatasyncs: beside the elapsed time, the
   * share of time an fdatasync ran (near 1: the disk's flush is the limit, not the write path).
   */
  syncMs: number;
}

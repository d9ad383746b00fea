/**
 * One segment file of a partition: frames back to back, named by the base offset of its first
 * batch (20 digits, as Kafka names its segments), with its sparse index held in memory.
 * Only the last segment of a log is written; the others are sealed (fsynced, read-only).
 */
import { fdatasyncSync, writevSync } from 'node:fs';
import { open, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { STORAGE_LIMITS } from '../../limits';
import { StorageError } from '../errors';
import { indexFileName, removeIndexFile, SegmentIndexFile, writeIndexFile } from './index-file';
import { inlineIoBudget } from './inline-io-budget';
import { OffsetIndex } from './offset-index';
import { dropFromPageCache, pageFloor } from './page-cache';
import type { SegmentInfo } from './wal-config';

export const SEGMENT_SUFFIX = '.log';
const NAME_DIGITS = 20;

export function segmentFileName(baseOffset: bigint): string {
  return baseOffset.toString().padStart(NAME_DIGITS, '0') + SEGMENT_SUFFIX;
}

/** The base offset a segment file name encodes, or null for any other file. */
export function parseSegmentFileName(name: string): bigint | null {
  const m = /^(\d{20})\.log$/.exec(name);
  return m ? BigInt(m[1]) : null;
}

/** A frame ready to write: header and batch are written back to back. */
export interface OutgoingFrame {
  header: Buffer;
  batch: Buffer;
  baseOffset: bigint;
  recordCount: number;
  maxTimestampMs: number;
  /** Set by Segment.write: where the frame ends in its file. */
  endPosition?: number;
}

/** A frame's size in its file: header and batch. */
export function frameBytesOf(frame: OutgoingFrame): number {
  return frame.header.length + frame.batch.length;
}

export class Segment {
  /** Bytes of frames written to the file (some may not be durable or visible yet). */
  writtenBytes = 0;
  /** Bytes known to be on disk (after an fdatasync, or at open). */
  syncedBytes = 0;
  /** Bytes from the start dropped from the page cache after they were synced (page-cache.ts). */
  droppedBytes = 0;
  /** Bytes of frames below the high watermark: reads never go past this. */
  visibleBytes = 0;
  /** Offset after the last frame written. */
  nextOffset: bigint;
  /** The file size preallocate() set ahead of the frames (0: none); trimPreallocation() cuts it back. */
  preallocatedBytes = 0;
  index: OffsetIndex;
  private readers = 0;
  private retiring = false;
  private closed = false;
  /** Sealed segments keep no file open between reads (one descriptor per partition, not per segment). */
  private sealed = false;
  private opening: Promise<FileHandle> | null = null;

  private constructor(
    readonly baseOffset: bigint,
    readonly path: string,
    private handle: FileHandle | null,
    private readonly indexIntervalBytes: number,
    /** When this segment started taking appends (drives rotation by age). */
    readonly createdAtMs: number,
  ) {
    this.nextOffset = baseOffset;
    this.index = new OffsetIndex(indexIntervalBytes);
  }

  /**
   * Creates an empty segment file (replacing a stale one), preallocated to `preallocateBytes`
   * when above 0 (see preallocate()), and makes its name durable.
   */
  static async create(dir: string, baseOffset: bigint, indexIntervalBytes: number, nowMs: number, preallocateBytes = 0): Promise<Segment> {
    const path = join(dir, segmentFileName(baseOffset));
    const handle = await open(path, 'w+');
    await syncDirectory(dir);
    const segment = new Segment(baseOffset, path, handle, indexIntervalBytes, nowMs);
    await segment.preallocate(preallocateBytes);
    return segment;
  }

  /** A segment already on disk; its file opens on first use. */
  static openExisting(dir: string, baseOffset: bigint, indexIntervalBytes: number, nowMs: number): Segment {
    return new Segment(baseOffset, join(dir, segmentFileName(baseOffset)), null, indexIntervalBytes, nowMs);
  }

  /** The open file, opened on demand. */
  async file(): Promise<FileHandle> {
    if (this.closed) throw new StorageError('LOG_CLOSED', `segment ${this.path} is closed`);
    if (this.handle) return this.handle;
    this.opening ??= open(this.path, 'r+').then((handle) => {
      this.opening = null;
      this.handle = handle;
      if (this.retiring && this.readers === 0) void this.closeHandle();
      return handle;
    }, (err) => {
      this.opening = null;
      throw err;
    });
    return this.opening;
  }

  /** No more appends: the file is closed whenever no reader uses it. */
  seal(): void {
    this.sealed = true;
    this.park();
  }

  /** Takes appends again (a truncation cut the log inside it). */
  unseal(): void {
    this.sealed = false;
  }

  /** Records a frame already in the file at `position` (recovery) or just written. */
  recordFrame(position: number, frame: { baseOffset: bigint; recordCount: number; maxTimestampMs: number }, frameBytes: number): void {
    this.index.onFrame(Number(frame.baseOffset - this.baseOffset), position, frame.maxTimestampMs);
    this.writtenBytes = position + frameBytes;
    this.nextOffset = frame.baseOffset + BigInt(frame.recordCount);
  }

  /**
   * Writes frames at the end of the file with one writev: from the event loop when they are small
   * (STORAGE_LIMITS.inlineWriteBytesMax), the turn's budget allows (inline-io-budget.ts) and the
   * file is open, on the thread pool otherwise.
   */
  async write(frames: OutgoingFrame[]): Promise<void> {
    if (this.writeNow(frames)) return;
    const { buffers, total } = buffersOf(frames);
    await writeAll(await this.file(), buffers, total, this.writtenBytes);
    this.recordWritten(frames);
  }

  /**
   * write() when it can go from the event loop: writes the frames and returns true, or returns
   * false having done nothing (too large, over the turn's budget, or the file not open). The
   * writev's buffer list is built only once the write is going ahead here.
   */
  writeNow(frames: OutgoingFrame[]): boolean {
    if (!this.handle || !inlineIoBudget.takeWrite(framesBytes(frames))) return false;
    const { buffers, total } = buffersOf(frames);
    writeAllInline(this.handle.fd, buffers, total, this.writtenBytes);
    this.recordWritten(frames);
    return true;
  }

  private recordWritten(frames: OutgoingFrame[]): void {
    let position = this.writtenBytes;
    for (const f of frames) {
      const frameBytes = frameBytesOf(f);
      this.recordFrame(position, f, frameBytes);
      position += frameBytes;
      f.endPosition = position;
    }
  }

  /**
   * Extends the file to `bytes` (sparse: ftruncate allocates no blocks), so appends below that
   * size leave the inode's size alone. An fdatasync after an append that grew the file has to
   * commit the size in a journal transaction; one after an append inside the file does not, and
   * ext4 then syncs faster and holds back fewer writes behind its commit (docs/storage.md,
   * "Preallocated segments": fdatasync p50 0.24 -> 0.17 ms alone; fsync `always` probe p99
   * 11-152 -> 6-23 ms at 10k msg/s). Kafka's `preallocate` does the same (RandomAccessFile.setLength).
   * Only for the active segment, before any frame it does not yet hold is written past `bytes`.
   */
  async preallocate(bytes: number): Promise<void> {
    if (bytes <= this.writtenBytes || bytes <= this.preallocatedBytes) return;
    await (await this.file()).truncate(bytes);
    this.preallocatedBytes = bytes;
  }

  /**
   * Cuts preallocated space after the last frame (before sealing, and at close), so a sealed
   * segment's size is its frames' size, as its index file and recovery expect. The caller fsyncs.
   */
  async trimPreallocation(): Promise<boolean> {
    const beyondFrames = this.preallocatedBytes > this.writtenBytes;
    this.preallocatedBytes = 0;
    if (beyondFrames) await (await this.file()).truncate(this.writtenBytes);
    return beyondFrames;
  }

  /** What the object-store tier sees of this segment (WalPartitionLog.segmentInfos). */
  info(sealed: boolean): SegmentInfo {
    return {
      baseOffset: this.baseOffset, nextOffset: this.nextOffset, sizeBytes: this.writtenBytes, sealed,
      largestTimestampMs: this.index.largestTimestampMs, path: this.path,
    };
  }

  /**
   * fdatasync: everything written before the call is durable after it. Returns the offset it covers.
   * With little written since the last one it runs from the event loop (inline-io-budget.ts).
   */
  async sync(): Promise<bigint> {
    const upTo = this.writtenBytes;
    const coveredOffset = this.nextOffset;
    let fd: number;
    if (this.handle && inlineIoBudget.takeSync(upTo - this.syncedBytes)) {
      fd = this.handle.fd;
      syncInline(fd);
    } else {
      const file = await this.file();
      await file.datasync();
      fd = file.fd;
    }
    if (upTo > this.syncedBytes) this.syncedBytes = upTo;
    this.dropSyncedPages(fd);
    return coveredOffset;
  }

  /** Drops what fdatasyncs made durable, but the newest pageCacheKeepBytes, from the page cache, a MiB at least at a time (page-cache.ts). */
  private dropSyncedPages(fd: number): void {
    const end = pageFloor(this.syncedBytes - STORAGE_LIMITS.pageCacheKeepBytes);
    if (end - this.droppedBytes < STORAGE_LIMITS.syncedPageDropBytesMin) return;
    dropFromPageCache(fd, this.droppedBytes, end);
    this.droppedBytes = end;
  }

  /** The name of this segment's index file (written when sealed). */
  get indexName(): string {
    return indexFileName(basename(this.path));
  }

  /** Persists the index of a sealed (fsynced) segment; the caller fsyncs the directory. */
  async writeIndex(): Promise<void> {
    await writeIndexFile(dirname(this.path), this.indexName, {
      segmentBytes: this.writtenBytes,
      nextOffset: this.nextOffset,
      largestTimestampMs: this.index.largestTimestampMs,
      entries: this.index.entries(),
    });
  }

  /** A segment about to take appends again (after a truncation) loses its sealed index. */
  async dropIndexFile(): Promise<void> {
    await removeIndexFile(dirname(this.path), this.indexName);
  }

  /** Takes the state of a sealed segment from its index file instead of a scan. */
  restore(file: SegmentIndexFile): void {
    this.index = OffsetIndex.restore(this.indexIntervalBytes, file.entries, file.largestTimestampMs);
    this.writtenBytes = file.segmentBytes;
    this.syncedBytes = file.segmentBytes;
    this.visibleBytes = file.segmentBytes;
    this.nextOffset = file.nextOffset;
  }

  /** Starts a new, empty index (after a truncation the caller re-records the frames kept). */
  resetIndex(): void {
    this.index = new OffsetIndex(this.indexIntervalBytes);
    this.writtenBytes = 0;
    this.nextOffset = this.baseOffset;
  }

  /** Shrinks the file to `bytes` and makes that durable; the caller rebuilds the index. */
  async truncateFile(bytes: number): Promise<void> {
    const file = await this.file();
    await file.truncate(bytes);
    await file.datasync();
    this.preallocatedBytes = 0;
    this.writtenBytes = Math.min(this.writtenBytes, bytes);
    this.syncedBytes = Math.min(this.syncedBytes, bytes);
    this.droppedBytes = Math.min(this.droppedBytes, pageFloor(bytes));
    this.visibleBytes = Math.min(this.visibleBytes, bytes);
  }

  /** Keeps the file open for a read; pair with release(). */
  acquire(): void {
    this.readers++;
  }

  release(): void {
    this.readers--;
    if (this.readers > 0) return;
    if (this.retiring) void this.closeHandle();
    else this.park();
  }

  /** Closes the file once the last reader releases it. */
  async retire(): Promise<void> {
    this.retiring = true;
    if (this.readers === 0) await this.closeHandle();
  }

  /** Deletes the file; the handle closes once the last reader releases it. */
  async remove(): Promise<void> {
    await unlink(this.path);
    await this.dropIndexFile();
    await this.retire();
  }

  private async closeHandle(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const handle = this.handle;
    this.handle = null;
    await handle?.close();
  }

  /** Closes a sealed segment's file while no reader needs it (it reopens on the next read). */
  private park(): void {
    if (!this.sealed || this.readers > 0 || !this.handle) return;
    const handle = this.handle;
    this.handle = null;
    void handle.close();
  }
}

function framesBytes(frames: OutgoingFrame[]): number {
  let total = 0;
  for (const f of frames) total += frameBytesOf(f);
  return total;
}

function buffersOf(frames: OutgoingFrame[]): { buffers: Buffer[]; total: number } {
  const buffers: Buffer[] = [];
  let total = 0;
  for (const f of frames) {
    buffers.push(f.header, f.batch);
    total += frameBytesOf(f);
  }
  return { buffers, total };
}

async function writeAll(handle: FileHandle, buffers: Buffer[], total: number, position: number): Promise<void> {
  let written = 0;
  let pending = buffers;
  while (written < total) {
    const { bytesWritten } = await handle.writev(pending, position + written);
    written += bytesWritten;
    if (written < total) pending = remainingBuffers(pending, bytesWritten);
  }
}

function writeAllInline(fd: number, buffers: Buffer[], total: number, position: number): void {
  let written = 0;
  let pending = buffers;
  while (written < total) {
    const bytesWritten = writevSync(fd, pending, position + written);
    written += bytesWritten;
    if (written < total) pending = remainingBuffers(pending, bytesWritten);
  }
}

function remainingBuffers(buffers: Buffer[], consumed: number): Buffer[] {
  let skip = consumed;
  let i = 0;
  while (i < buffers.length && skip >= buffers[i].length) skip -= buffers[i++].length;
  const rest = buffers.slice(i);
  if (rest.length > 0 && skip > 0) rest[0] = rest[0].subarray(skip);
  return rest;
}

/** fsync of a directory, so a created or deleted file name survives a crash. */
export async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** fdatasyncSync, its duration counted against the event loop's budget (inline-io-budget.ts). */
function syncInline(fd: number): void {
  const startedMs = performance.now();
  try {
    fdatasyncSync(fd);
  } finally {
    inlineIoBudget.syncTook(performance.now() - startedMs);
  }
}

/**
 * The index file of a sealed segment (`<base>.index`), written once when the segment is sealed
 * so that opening a log scans only its last segment. Layout, big-endian:
 *   [u32 magic 'TWIX'][u16 version 1][f64 segmentBytes][u64 nextOffset][f64 largestTimestampMs]
 *   [u32 entryCount] entryCount x [f64 relativeOffset][f64 position][f64 maxTimestampBeforeMs]
 *   [u32 crc32 of everything before]
 * The file is trusted only when its crc holds and segmentBytes equals the segment's size;
 * otherwise the segment is scanned like the last one (and the file rewritten).
 * Written to `.index.tmp`, fsynced, then renamed, so a crash never leaves half an index.
 */
import { crc32 } from '@node-rs/crc32';
import { open, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { IndexEntry } from './offset-index';

const MAGIC = 0x54574958;
const VERSION = 1;
const HEADER_BYTES = 4 + 2 + 8 + 8 + 8 + 4;
const ENTRY_BYTES = 24;

export interface SegmentIndexFile {
  segmentBytes: number;
  nextOffset: bigint;
  largestTimestampMs: number;
  entries: IndexEntry[];
}

export function indexFileName(segmentFileName: string): string {
  return segmentFileName.replace(/\.log$/, '.index');
}

export function encodeIndexFile(index: SegmentIndexFile): Buffer {
  const buf = Buffer.alloc(HEADER_BYTES + index.entries.length * ENTRY_BYTES + 4);
  let at = buf.writeUInt32BE(MAGIC, 0);
  at = buf.writeUInt16BE(VERSION, at);
  at = buf.writeDoubleBE(index.segmentBytes, at);
  at = buf.writeBigUInt64BE(index.nextOffset, at);
  at = buf.writeDoubleBE(index.largestTimestampMs, at);
  at = buf.writeUInt32BE(index.entries.length, at);
  for (const e of index.entries) {
    at = buf.writeDoubleBE(e.relativeOffset, at);
    at = buf.writeDoubleBE(e.position, at);
    at = buf.writeDoubleBE(e.maxTimestampBeforeMs, at);
  }
  buf.writeUInt32BE(crc32(buf.subarray(0, at)) >>> 0, at);
  return buf;
}

/** The decoded file, or null when it is damaged or of another version. */
export function decodeIndexFile(buf: Buffer): SegmentIndexFile | null {
  if (buf.length < HEADER_BYTES + 4 || buf.readUInt32BE(0) !== MAGIC || buf.readUInt16BE(4) !== VERSION) return null;
  const count = buf.readUInt32BE(HEADER_BYTES - 4);
  const end = HEADER_BYTES + count * ENTRY_BYTES;
  if (buf.length !== end + 4 || buf.readUInt32BE(end) !== crc32(buf.subarray(0, end)) >>> 0) return null;
  const entries: IndexEntry[] = [];
  for (let at = HEADER_BYTES; at < end; at += ENTRY_BYTES) {
    entries.push({ relativeOffset: buf.readDoubleBE(at), position: buf.readDoubleBE(at + 8), maxTimestampBeforeMs: buf.readDoubleBE(at + 16) });
  }
  return { segmentBytes: buf.readDoubleBE(6), nextOffset: buf.readBigUInt64BE(14), largestTimestampMs: buf.readDoubleBE(22), entries };
}

/** Writes the index durably (tmp file, fsync, rename); the caller fsyncs the directory. */
export async function writeIndexFile(dir: string, name: string, index: SegmentIndexFile): Promise<void> {
  const tmp = join(dir, `${name}.tmp`);
  const handle = await open(tmp, 'w');
  try {
    await handle.writeFile(encodeIndexFile(index));
    await handle.datasync();
  } finally {
    await handle.close();
  }
  await rename(tmp, join(dir, name));
}

export async function readIndexFile(dir: string, name: string): Promise<SegmentIndexFile | null> {
  try {
    return decodeIndexFile(await readFile(join(dir, name)));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

export async function removeIndexFile(dir: string, name: string): Promise<void> {
  await unlink(join(dir, name)).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'ENOENT') throw err;
  });
}

/**
 * Upper bounds on what a compressed record area decompresses to, read from the codecs' own
 * framing before anything is decompressed, so a small batch that would inflate past a limit is
 * refused without allocating its output. Each walk also rejects framing that does not parse.
 *
 * - snappy, raw (librdkafka): the block starts with its uncompressed length (varint).
 * - snappy, xerial (Java client, kafkajs-snappy): 16-byte header (magic 0x82 "SNAPPY" 0x00,
 *   version, min compatible version), then chunks of [int32 BE length][raw snappy block].
 * - lz4 (KIP-57: the LZ4 frame format): frame header gives the maximum block size; each block
 *   carries its compressed size and decompresses to at most that maximum.
 * - zstd (RFC 8878): each block header gives its type and size; raw and RLE blocks regenerate
 *   exactly their size, compressed blocks at most 128 KiB (Block_Maximum_Size).
 */
import { DecodeError } from '../primitives/decode-error';

export const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const XERIAL_HEADER_BYTES = 16;

const LZ4_MAGIC = 0x184d2204;
const LZ4_BLOCK_BYTES_MAX = [0, 0, 0, 0, 64 * 1024, 256 * 1024, 1024 * 1024, 4 * 1024 * 1024];
const ZSTD_MAGIC = 0xfd2fb528;
const ZSTD_BLOCK_BYTES_MAX = 128 * 1024;
/** 0x184D2A50..0x184D2A5F: skippable frames, shared by the lz4 and zstd frame formats. */
const SKIPPABLE_MASK = 0xfffffff0;
const SKIPPABLE_MAGIC = 0x184d2a50;

function need(data: Buffer, at: number, n: number, what: string): void {
  if (at + n > data.length) throw new DecodeError(`${what} needs ${n} bytes, ${Math.max(0, data.length - at)} left`, at);
}

/** The uncompressed length a raw snappy block declares (a varint of at most 32 bits). */
export function snappyRawLength(data: Buffer, at = 0): number {
  let value = 0;
  for (let i = 0; i < 5; i++) {
    need(data, at + i, 1, 'snappy length');
    const byte = data[at + i];
    value += (byte & 0x7f) * 2 ** (7 * i);
    if ((byte & 0x80) === 0) return value;
  }
  throw new DecodeError('snappy length varint longer than 5 bytes', at);
}

export function isXerialSnappy(data: Buffer): boolean {
  return data.length >= XERIAL_HEADER_BYTES && data.subarray(0, XERIAL_MAGIC.length).equals(XERIAL_MAGIC);
}

/** The raw snappy blocks of a xerial stream, as views. */
export function xerialBlocks(data: Buffer): Buffer[] {
  const blocks: Buffer[] = [];
  for (let at = XERIAL_HEADER_BYTES; at < data.length;) {
    need(data, at, 4, 'xerial chunk length');
    const length = data.readInt32BE(at);
    if (length < 0) throw new DecodeError(`xerial chunk length ${length} is negative`, at);
    need(data, at + 4, length, 'xerial chunk');
    blocks.push(data.subarray(at + 4, at + 4 + length));
    at += 4 + length;
  }
  return blocks;
}

function skippableFrameEnd(data: Buffer, at: number): number {
  need(data, at, 8, 'skippable frame header');
  const end = at + 8 + data.readUInt32LE(at + 4);
  need(data, at, end - at, 'skippable frame');
  return end;
}

/** Walks one LZ4 frame from `at`; returns its end and its bound. */
function lz4Frame(data: Buffer, at: number): { end: number; bytesMax: number } {
  need(data, at, 7, 'lz4 frame header');
  const flags = data[at + 4];
  if (flags >> 6 !== 1) throw new DecodeError(`lz4 frame version ${flags >> 6} is not 1`, at + 4);
  const blockBytesMax = LZ4_BLOCK_BYTES_MAX[(data[at + 5] >> 4) & 0x07];
  if (blockBytesMax === 0) throw new DecodeError('lz4 frame has an undefined block maximum size', at + 5);
  const blockChecksumBytes = flags & 0x10 ? 4 : 0;
  let pos = at + 6 + (flags & 0x08 ? 8 : 0) + (flags & 0x01 ? 4 : 0) + 1;
  let bytesMax = 0;
  for (;;) {
    need(data, pos, 4, 'lz4 block size');
    const word = data.readUInt32LE(pos);
    pos += 4;
    if (word === 0) break;
    const size = word & 0x7fffffff;
    if (size > blockBytesMax) throw new DecodeError(`lz4 block of ${size} bytes exceeds the frame's ${blockBytesMax}`, pos - 4);
    need(data, pos, size + blockChecksumBytes, 'lz4 block');
    pos += size + blockChecksumBytes;
    bytesMax += (word & 0x80000000) !== 0 ? size : blockBytesMax;
  }
  // A declared content size is tighter than blocks x maximum (the decoder checks it matches).
  const contentBytes = flags & 0x08 ? Number(data.readBigUInt64LE(at + 6)) : Infinity;
  return { end: pos + (flags & 0x04 ? 4 : 0), bytesMax: Math.min(bytesMax, contentBytes) };
}

/** Walks one zstd frame from `at`; returns its end and its bound. */
function zstdFrame(data: Buffer, at: number): { end: number; bytesMax: number } {
  need(data, at, 5, 'zstd frame header');
  const descriptor = data[at + 4];
  const singleSegment = (descriptor & 0x20) !== 0;
  const contentSizeFlag = descriptor >> 6;
  const contentSizeBytes = [singleSegment ? 1 : 0, 2, 4, 8][contentSizeFlag];
  const dictionaryIdBytes = [0, 1, 2, 4][descriptor & 0x03];
  let pos = at + 5 + (singleSegment ? 0 : 1) + dictionaryIdBytes + contentSizeBytes;
  let bytesMax = 0;
  for (let last = false; !last;) {
    need(data, pos, 3, 'zstd block header');
    const header = data.readUIntLE(pos, 3);
    pos += 3;
    last = (header & 1) === 1;
    const type = (header >> 1) & 0x03;
    const size = header >>> 3;
    if (type === 3) throw new DecodeError('zstd block type 3 is reserved', pos - 3);
    const stored = type === 1 ? 1 : size;
    need(data, pos, stored, 'zstd block');
    pos += stored;
    bytesMax += type === 2 ? ZSTD_BLOCK_BYTES_MAX : size;
  }
  return { end: pos + (descriptor & 0x04 ? 4 : 0), bytesMax };
}

function framesBound(data: Buffer, magic: number, frame: (data: Buffer, at: number) => { end: number; bytesMax: number }, codec: string): number {
  let bytesMax = 0;
  for (let at = 0; at < data.length;) {
    need(data, at, 4, `${codec} magic`);
    const word = data.readUInt32LE(at);
    if (((word & SKIPPABLE_MASK) >>> 0) === SKIPPABLE_MAGIC) {
      at = skippableFrameEnd(data, at);
      continue;
    }
    if (word !== magic) throw new DecodeError(`${codec} frame magic 0x${word.toString(16)} is wrong`, at);
    const walked = frame(data, at);
    need(data, at, walked.end - at, `${codec} frame`);
    bytesMax += walked.bytesMax;
    at = walked.end;
  }
  if (data.length === 0) throw new DecodeError(`empty ${codec} data`, 0);
  return bytesMax;
}

export function lz4FramesBound(data: Buffer): number {
  return framesBound(data, LZ4_MAGIC, lz4Frame, 'lz4');
}

export function zstdFramesBound(data: Buffer): number {
  return framesBound(data, ZSTD_MAGIC, zstdFrame, 'zstd');
}

/**
 * Decompresses the record area of a compressed RecordBatch v2 (attributes bits 0-2: 1 gzip,
 * 2 snappy, 3 lz4, 4 zstd). The produce and fetch paths never call this (batches stay as sent);
 * native dispatch does, to turn a Kafka producer's batch into per-message pushes.
 *
 * Every codec is bounded by `bytesMax` before its output is allocated: gzip through zlib's
 * maxOutputLength, the others through the bounds their framing declares (compression-bounds.ts).
 */
import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';
import { decompressFrameSync as lz4DecompressFrame } from 'lz4-napi';
import { uncompressSync as snappyUncompress } from 'snappy';
import { decompress as zstdDecompress } from '@mongodb-js/zstd';
import { COMPRESSION_CODECS } from './record-batch';
import {
  isXerialSnappy, lz4FramesBound, snappyRawLength, xerialBlocks, zstdFramesBound,
} from './compression-bounds';

const gunzipAsync = promisify(gunzip);

/** Compressed data that does not decompress, or would decompress past the limit. */
export class DecompressionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DecompressionError';
  }
}

function checkBound(codec: string, bytes: number, bytesMax: number): void {
  if (bytes > bytesMax) {
    throw new DecompressionError(`${codec} records would decompress to up to ${bytes} bytes, above the limit of ${bytesMax}`);
  }
}

function snappyBlock(block: Buffer): Buffer {
  return snappyUncompress(block, { asBuffer: true }) as Buffer;
}

/** librdkafka writes one raw snappy block; the Java client and kafkajs-snappy write xerial framing. */
function snappyRecords(data: Buffer, bytesMax: number): Buffer {
  if (!isXerialSnappy(data)) {
    checkBound('snappy', snappyRawLength(data), bytesMax);
    return snappyBlock(data);
  }
  const blocks = xerialBlocks(data);
  checkBound('snappy', blocks.reduce((n, block) => n + snappyRawLength(block), 0), bytesMax);
  const out = blocks.map(snappyBlock);
  return out.length === 1 ? out[0] : Buffer.concat(out);
}

async function gzipRecords(data: Buffer, bytesMax: number): Promise<Buffer> {
  try {
    return await gunzipAsync(data, { maxOutputLength: bytesMax });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') checkBound('gzip', bytesMax + 1, bytesMax);
    throw err;
  }
}

async function decompressWith(codec: string, data: Buffer, bytesMax: number): Promise<Buffer> {
  switch (codec) {
    case 'gzip':
      return gzipRecords(data, bytesMax);
    case 'snappy':
      return snappyRecords(data, bytesMax);
    case 'lz4':
      checkBound('lz4', lz4FramesBound(data), bytesMax);
      return lz4DecompressFrame(data);
    case 'zstd':
      checkBound('zstd', zstdFramesBound(data), bytesMax);
      return zstdDecompress(data);
    default:
      throw new DecompressionError(`compression codec ${codec} is not defined by Kafka`);
  }
}

/**
 * The uncompressed records of a batch whose attributes name `compressionId`; throws
 * DecompressionError when the data is corrupt or would exceed `bytesMax`.
 */
export async function decompressRecords(compressionId: number, data: Buffer, bytesMax: number): Promise<Buffer> {
  const codec = COMPRESSION_CODECS[compressionId] ?? String(compressionId);
  if (codec === 'none') return data;
  let out: Buffer;
  try {
    out = await decompressWith(codec, data, bytesMax);
  } catch (err) {
    if (err instanceof DecompressionError) throw err;
    throw new DecompressionError(`${codec} records do not decompress: ${(err as Error).message}`);
  }
  checkBound(codec, out.length, bytesMax);
  return out;
}

/**
 * Compressed record areas the way Kafka's clients write them, for tests: xerial-framed snappy
 * (the Java client's SnappyOutputStream), LZ4 frames (KIP-57), and kafkajs codecs that use them
 * so kafkajs producers write snappy and lz4 batches.
 */
import { CompressionCodecs, CompressionTypes } from 'kafkajs';
import { compressFrameSync as lz4Frame, decompressFrameSync as lz4Unframe } from 'lz4-napi';
import { compressSync as snappyRaw } from 'snappy';
import { decompressRecords } from '../../../../src/protocol/kafka/compression';
import { XERIAL_MAGIC } from '../../../../src/protocol/kafka/compression-bounds';

/** Magic, version 1, compatible version 1, then [int32 length][raw snappy block] per block. */
export function xerialSnappy(data: Buffer, blockBytes: number): Buffer {
  const parts: Buffer[] = [XERIAL_MAGIC, Buffer.from([0, 0, 0, 1, 0, 0, 0, 1])];
  for (let at = 0; at < data.length; at += blockBytes) {
    const block = snappyRaw(data.subarray(at, at + blockBytes));
    const length = Buffer.alloc(4);
    length.writeInt32BE(block.length);
    parts.push(length, block);
  }
  return Buffer.concat(parts);
}

/** Registers snappy (xerial, 32 KiB blocks as the Java client) and lz4 (frames) codecs in kafkajs. */
export function registerKafkajsCodecs(): void {
  const limit = 64 * 1024 * 1024;
  CompressionCodecs[CompressionTypes.Snappy] = () => ({
    compress: async (encoder: { buffer: Buffer }) => xerialSnappy(encoder.buffer, 32 * 1024),
    decompress: async (buffer: Buffer) => decompressRecords(2, buffer, limit),
  });
  CompressionCodecs[CompressionTypes.LZ4] = () => ({
    compress: async (encoder: { buffer: Buffer }) => lz4Frame(encoder.buffer),
    decompress: async (buffer: Buffer) => lz4Unframe(buffer),
  });
}

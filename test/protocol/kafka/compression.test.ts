import { expect } from 'chai';
import { gzipSync } from 'node:zlib';
import { compressFrameSync as lz4Frame } from 'lz4-napi';
import { compressSync as snappyRaw } from 'snappy';
import { compress as zstdCompress } from '@mongodb-js/zstd';
import { DecompressionError, decompressRecords } from '../../../src/protocol/kafka/compression';
import { lz4FramesBound, zstdFramesBound } from '../../../src/protocol/kafka/compression-bounds';
import { xerialSnappy as xerial } from './support/compression-codecs';

const ID = { gzip: 1, snappy: 2, lz4: 3, zstd: 4 } as const;
const LIMIT = 16 * 1024 * 1024;

/** Mixed data: compressible runs and pseudo-random bytes, larger than one lz4 or zstd block. */
function sample(bytes: number): Buffer {
  const out = Buffer.alloc(bytes);
  let x = 12345;
  for (let i = 0; i < bytes; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = i % 512 < 256 ? i % 7 : x >>> 24;
  }
  return out;
}

async function compressed(codec: keyof typeof ID, data: Buffer): Promise<Buffer> {
  if (codec === 'gzip') return gzipSync(data);
  if (codec === 'snappy') return snappyRaw(data);
  if (codec === 'lz4') return lz4Frame(data);
  return zstdCompress(data, 3);
}

describe('Decompressing the records of compressed batches', () => {
  const data = sample(300_000);

  for (const codec of ['gzip', 'snappy', 'lz4', 'zstd'] as const) {
    it(`restores ${codec} records byte for byte`, async () => {
      expect((await decompressRecords(ID[codec], await compressed(codec, data), LIMIT)).equals(data)).to.equal(true);
    });

    it(`refuses ${codec} records that would decompress past the limit, naming it`, async () => {
      const bomb = await compressed(codec, Buffer.alloc(4 * 1024 * 1024));
      const error = await decompressRecords(ID[codec], bomb, 1024 * 1024).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(DecompressionError);
      expect((error as Error).message).to.match(new RegExp(`${codec} records would decompress to up to \\d+ bytes, above the limit of 1048576`));
    });

    it(`reports corrupt ${codec} data as a DecompressionError`, async () => {
      const bytes = await compressed(codec, data);
      const corrupt = Buffer.concat([bytes.subarray(0, 40), Buffer.alloc(64, 0xff)]);
      const error = await decompressRecords(ID[codec], corrupt, LIMIT).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(DecompressionError);
      expect((error as Error).message).to.match(new RegExp(`^${codec} `));
    });
  }

  it('reads xerial-framed snappy (the Java client) as well as raw snappy (librdkafka)', async () => {
    expect((await decompressRecords(ID.snappy, xerial(data, 32 * 1024), LIMIT)).equals(data)).to.equal(true);
    const error = await decompressRecords(ID.snappy, xerial(Buffer.alloc(2 * 1024 * 1024), 32 * 1024), 1024 * 1024).catch((e: unknown) => e);
    expect((error as Error).message).to.match(/above the limit/);
  });

  it('bounds lz4 output by blocks x the frame block size, and zstd output close to the real size', async () => {
    // lz4-napi writes 4 MiB blocks; Kafka's clients write 64 KiB ones.
    expect(lz4FramesBound(lz4Frame(data))).to.equal(4 * 1024 * 1024);
    const zstdBound = zstdFramesBound(await zstdCompress(data, 3));
    expect(zstdBound).to.be.at.least(data.length);
    expect(zstdBound).to.be.below(data.length + 256 * 1024);
  });

  it('passes uncompressed records through and refuses codec ids Kafka does not define', async () => {
    expect(await decompressRecords(0, data, 10)).to.equal(data);
    const error = await decompressRecords(5, data, LIMIT).catch((e: unknown) => e);
    expect((error as Error).message).to.equal('compression codec 5 is not defined by Kafka');
  });
});

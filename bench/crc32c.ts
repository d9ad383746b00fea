/**
 * CRC-32C throughput of the installed implementations on record-batch-sized buffers.
 * `npx tsx bench/crc32c.ts` prints one `RESULT crc32c_<lib>_<size> <MB/s> MB/s` line per case;
 * `sse4` only where the optional native module built (see src/protocol/primitives/crc32c.ts).
 */
import { crc32c as nodeRsCrc32c } from '@node-rs/crc32';
import { loadSse42Crc32c } from '../src/protocol/primitives/crc32c';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const crcJs: { buf(data: Uint8Array, seed?: number): number } = require('crc-32/crc32c');
const sse42 = loadSse42Crc32c();

const SIZES: Array<[string, number]> = [['64B', 64], ['100B', 100], ['256B', 256], ['512B', 512], ['1KiB', 1024], ['16KiB', 16 * 1024], ['1MiB', 1024 * 1024]];
const LIBS: Array<[string, (data: Buffer) => number]> = [
  ['node_rs', (data) => nodeRsCrc32c(data)],
  ['crc_32', (data) => crcJs.buf(data) >>> 0],
  ...(sse42 ? [['sse4', sse42] as [string, (data: Buffer) => number]] : []),
];
const BYTES_PER_CASE = Number(process.env.BENCH_CRC_MB ?? '128') * 1024 * 1024;
const WARMUP_BYTES = 16 * 1024 * 1024;

function run(fn: (data: Buffer) => number, data: Buffer, bytes: number): number {
  let sink = 0;
  const rounds = Math.max(1, Math.floor(bytes / data.length));
  const start = process.hrtime.bigint();
  for (let i = 0; i < rounds; i++) sink ^= fn(data);
  const elapsedNs = Number(process.hrtime.bigint() - start);
  if (sink === 0.5) console.log('unreachable');
  return (rounds * data.length) / 1e6 / (elapsedNs / 1e9);
}

for (const [sizeName, size] of SIZES) {
  const data = Buffer.alloc(size);
  for (let i = 0; i < size; i++) data[i] = (i * 31 + 7) & 0xff;
  for (const [libName, fn] of LIBS) {
    run(fn, data, WARMUP_BYTES);
    const mbPerS = run(fn, data, BYTES_PER_CASE);
    console.log(`RESULT crc32c_${libName}_${sizeName} ${mbPerS.toFixed(1)} MB/s`);
  }
}

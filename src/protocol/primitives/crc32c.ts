/**
 * CRC-32C (Castagnoli), the checksum of RecordBatch v2 (KIP-98). Test vector:
 * crc32c("123456789") = 0xE3069283.
 *
 * Three implementations, picked by size from `npm run bench:crc32c` (Node 20, 2 shared cores):
 * - `sse4_crc32` (optional dependency, built by node-gyp on install): the SSE 4.2 `crc32`
 *   instruction, 5.3-7.1 GB/s from 16 KiB to 1 MiB, where @node-rs/crc32 gives 3.0-3.4 GB/s
 *   (its prebuilt binary calls the instruction through a function that is not inlined).
 * - `@node-rs/crc32` when the native module did not build (an install with --ignore-scripts,
 *   no compiler, not x86): same results, slower.
 * - `crc-32`'s table-driven JS below NATIVE_BYTES_MIN, where a native call costs more than
 *   the loop (100 B: 372-598 MB/s in JS against 216-447 through N-API).
 */
import { crc32c as nodeRsCrc32c } from '@node-rs/crc32';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const tableCrc32c: { buf(data: Uint8Array, seed?: number): number } = require('crc-32/crc32c');

const NATIVE_BYTES_MIN = 256;

type Crc32cFn = (data: Buffer) => number;

/**
 * sse4_crc32's SSE 4.2 function, or null where the module is absent, did not build, or the CPU
 * lacks SSE 4.2 (its `hardware_support` flag; the module's own fallback is a slow table).
 */
export function loadSse42Crc32c(): Crc32cFn | null {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require('sse4_crc32') as { hardware_support?: boolean; sse42_crc?: (data: Buffer) => number };
    const fn = mod.sse42_crc;
    if (mod.hardware_support !== true || typeof fn !== 'function') return null;
    return (data) => fn(data) >>> 0;
  } catch {
    return null;
  }
}

const bulkCrc32c: Crc32cFn = loadSse42Crc32c() ?? ((data) => nodeRsCrc32c(data));

/** CRC-32C of the bytes as an unsigned 32-bit number. */
export function crc32c(data: Buffer): number {
  return data.length >= NATIVE_BYTES_MIN ? bulkCrc32c(data) : tableCrc32c.buf(data) >>> 0;
}

/**
 * Page-cache conditions shared by the storage benchmarks (bench/wal.ts, bench/tier.ts).
 *
 * This machine is a VM whose balloon driver gives page-cache memory that stayed free for about
 * 2 s back to the host; writing into such memory faults it in again, at 110-700 MB/s instead of
 * 1.5-3 GB/s into memory freed a moment ago. The pool is a file written without fsync (no disk
 * I/O) and held between measurements; each measurement starts right after the pool is deleted,
 * so every side writes into memory freed a moment ago, as on a machine without that effect. The
 * pool starts at `initialBytes`, then holds 1.5x the most any measurement wrote; it is rewritten
 * after each measurement, mostly into the memory that measurement frees.
 */
import { mkdtemp, open, rm, unlink } from 'node:fs/promises';
import { join } from 'node:path';

const MIB = 1024 * 1024;

export class PagePool {
  private readonly path: string;
  private largestWrittenBytes = 0;

  constructor(dir: string, private bytes: number, private readonly enabled = process.env.BENCH_PAGE_POOL !== '0') {
    this.path = join(dir, 'page-pool');
  }

  async hold(): Promise<void> {
    if (!this.enabled) return;
    const handle = await open(this.path, 'w');
    const block = Buffer.alloc(4 * MIB, 0x63);
    try {
      for (let position = 0; position < this.bytes; position += block.length) await handle.write(block, 0, block.length, position);
    } finally {
      await handle.close();
    }
  }

  async release(): Promise<void> {
    if (this.enabled) await unlink(this.path);
  }

  /** A measurement wrote `bytes`: the pool holds 1.5x the most one wrote. */
  wrote(bytes: number): void {
    this.largestWrittenBytes = Math.max(this.largestWrittenBytes, bytes);
    this.bytes = Math.ceil((1.5 * this.largestWrittenBytes) / MIB) * MIB;
  }
}

/** One measurement in a new directory, removed after it with the page cache it holds. */
export async function measureFresh<T extends { bytesWritten: number }>(root: string, measure: (dir: string) => Promise<T>, pool?: PagePool): Promise<T> {
  const dir = await mkdtemp(join(root, 'run-'));
  await pool?.release();
  let written = 0;
  try {
    const figures = await measure(dir);
    written = figures.bytesWritten;
    return figures;
  } finally {
    await rm(dir, { recursive: true, force: true });
    pool?.wrote(written);
    await pool?.hold();
  }
}

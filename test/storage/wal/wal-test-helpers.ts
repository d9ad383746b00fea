/** Shared steps of the WAL tests: temp directories, filling a log, reading it back. */
import { mkdtemp, open, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PartitionLog } from '../../../src/storage/partition-log';
import { testAppend, TestBatchSpec } from '../support/test-batch-format';

export async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'tributary-wal-'));
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/** Appends `count` batches one after another; returns the stored bytes (base offset written). */
export async function appendMany(log: PartitionLog, count: number, spec: (i: number) => TestBatchSpec = (i) => ({ seed: i })): Promise<Buffer[]> {
  const stored: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const input = testAppend(spec(i));
    await log.append(input);
    stored.push(Buffer.from(input.batch));
  }
  return stored;
}

export async function segmentFiles(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((n) => n.endsWith('.log')).sort();
}

type FileHandleMethod = (...args: unknown[]) => Promise<unknown>;

/** Calls `seen` with the result of every FileHandle `method` call while `body` runs (the real calls still happen). */
export async function watchFileHandles<R>(method: 'read' | 'writev' | 'datasync', seen: (result: R) => void, body: () => Promise<void>): Promise<void> {
  const probe = await open(__filename, 'r');
  const proto = Object.getPrototypeOf(probe) as Record<typeof method, FileHandleMethod>;
  await probe.close();
  const original = proto[method];
  proto[method] = async function (this: unknown, ...args: unknown[]) {
    const result = await original.apply(this, args);
    seen(result as R);
    return result;
  };
  try {
    await body();
  } finally {
    proto[method] = original;
  }
}

import { open, rename } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Counts the fsyncs the embedded store issues, so benchmarks can show what group commit saves. */
export class FsyncCounter {
  count = 0;
}

/** Writes a whole file atomically: temp file, fsync, rename, fsync of the directory. */
export async function writeFileDurably(path: string, data: Buffer, fsyncs: FsyncCounter): Promise<void> {
  const temp = `${path}.tmp`;
  const handle = await open(temp, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
    fsyncs.count += 1;
  } finally {
    await handle.close();
  }
  await rename(temp, path);
  await syncDirectory(dirname(path), fsyncs);
}

/** A rename or a new file is durable only once its directory entry is (POSIX). */
export async function syncDirectory(dir: string, fsyncs: FsyncCounter): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
    fsyncs.count += 1;
  } finally {
    await handle.close();
  }
}

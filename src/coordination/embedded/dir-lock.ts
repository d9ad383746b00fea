import { readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { CoordinationError } from '../errors';

/**
 * One process at a time owns an embedded store directory: two writers appending to one log
 * would corrupt it. The LOCK file names the owner's pid; a lock left by a dead process (kill -9)
 * is taken over.
 */
const LOCK_FILE = 'LOCK';
const openInThisProcess = new Set<string>();

export async function lockDirectory(dir: string): Promise<() => Promise<void>> {
  const absolute = resolve(dir);
  if (openInThisProcess.has(absolute)) {
    throw new CoordinationError('STORE_LOCKED', `metadata store ${absolute} is already open in this process`);
  }
  const owner = await readOwner(join(absolute, LOCK_FILE));
  if (owner !== null && owner !== process.pid && isAlive(owner)) {
    throw new CoordinationError('STORE_LOCKED', `metadata store ${absolute} is in use by process ${owner}`);
  }
  openInThisProcess.add(absolute);
  await writeFile(join(absolute, LOCK_FILE), `${process.pid}\n`);
  return async () => {
    openInThisProcess.delete(absolute);
    await rm(join(absolute, LOCK_FILE), { force: true });
  };
}

async function readOwner(path: string): Promise<number | null> {
  try {
    const pid = Number.parseInt(await readFile(path, 'utf8'), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

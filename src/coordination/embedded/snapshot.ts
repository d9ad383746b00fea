import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CoordinationError } from '../errors';
import type { KeyValue } from '../metadata-store';
import { FsyncCounter, writeFileDurably } from './durable-file';

/**
 * The embedded store's snapshot: every key at one revision, replaced atomically (write, fsync,
 * rename). Log records at or below the snapshot revision are already in it and skipped on replay.
 */
export const SNAPSHOT_FILE = 'snapshot.json';

export interface Snapshot {
  revision: bigint;
  kvs: KeyValue[];
}

type StoredKv = [key: string, value: string, modRevision: string, createRevision: string, leaseId: string | null];

export async function readSnapshot(dir: string): Promise<Snapshot> {
  let text: string;
  try {
    text = await readFile(join(dir, SNAPSHOT_FILE), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { revision: 0n, kvs: [] };
    throw error;
  }
  let parsed: { revision: string; kvs: StoredKv[] };
  try {
    parsed = JSON.parse(text) as { revision: string; kvs: StoredKv[] };
  } catch (cause) {
    // Snapshots are replaced atomically, so a bad one is damage from outside: refuse to guess.
    throw new CoordinationError('STORE_FAILED', `metadata snapshot ${join(dir, SNAPSHOT_FILE)} is unreadable: ${(cause as Error).message}`, { cause });
  }
  return {
    revision: BigInt(parsed.revision),
    kvs: parsed.kvs.map(([key, value, modRevision, createRevision, leaseId]) => ({
      key,
      value,
      modRevision: BigInt(modRevision),
      createRevision: BigInt(createRevision),
      ...(leaseId !== null ? { leaseId } : {}),
    })),
  };
}

export async function writeSnapshot(dir: string, snapshot: Snapshot, fsyncs: FsyncCounter): Promise<void> {
  const kvs: StoredKv[] = snapshot.kvs.map((kv) =>
    [kv.key, kv.value, kv.modRevision.toString(), kv.createRevision.toString(), kv.leaseId ?? null]);
  const data = Buffer.from(JSON.stringify({ revision: snapshot.revision.toString(), kvs }));
  await writeFileDurably(join(dir, SNAPSHOT_FILE), data, fsyncs);
}

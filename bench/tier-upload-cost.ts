/**
 * bench:tier, part `upload`: what uploading costs on its own. The WAL is filled with the
 * uploader idle, then the tier uploads all of it with nothing else running: CPU per uploaded MiB
 * for the whole process and for the main thread (the event loop every produce needs), and the
 * rate. Unlike the produce part, where uploads share both cores with the produce, these hold
 * within about 20 % while other engineers load the machine.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ObjectStoreConfig } from '../src/storage/objects/object-store-config';
import type { PagePool } from './page-pool';
import { ObjectServer, startAzurite, startS3rver } from '../test/support/object-servers';
import { batch, mainThreadCpuMs, median, MIB, openRig, processCpuMs, result, threadCpuMs, UPLOAD_STORES } from './tier-rig';

const FILL_MIB = Number(process.env.BENCH_UPLOAD_MIB ?? '256');
const FILLERS = 64;

interface UploadFigures {
  cpuMsPerMib: number;
  mainMsPerMib: number | null;
  mbPerSecond: number;
  objectBytes: number;
  /** CPU ms per MiB of opendal's threads and of the other threads (thread pool, V8 helpers); null without /proc. */
  opendalMsPerMib: number | null;
  otherMsPerMib: number | null;
  /** Minor page faults per MiB of opendal's threads and of the others (4 KiB pages: 256 per MiB is every byte in fresh memory). */
  opendalFaultsPerMib: number | null;
  otherFaultsPerMib: number | null;
}

async function uploadOnce(dir: string, store: ObjectStoreConfig, pool: PagePool): Promise<UploadFigures> {
  const rig = await openRig(dir, store, { durability: 'local', uploadIntervalMs: 3_600_000 });
  const appends = FILL_MIB * 64;
  let next = 0;
  await Promise.all(Array.from({ length: FILLERS }, async () => {
    while (next < appends) await rig.logs[next++ % rig.logs.length].append(batch());
  }));
  // Objects (fs) go into memory freed a moment ago, as the WAL's writes do in the produce part.
  await pool.release();
  const cpu = process.cpuUsage();
  const main = mainThreadCpuMs();
  const threads = threadCpuMs();
  const started = performance.now();
  while (rig.behind()) await rig.tier!.uploads.runOnce();
  const seconds = (performance.now() - started) / 1000;
  const cpuMs = processCpuMs(cpu);
  const mainEnd = mainThreadCpuMs();
  const threadsEnd = threadCpuMs();
  const objectBytes = rig.tier!.uploads.stats.bytes;
  await rig.close();
  const mib = objectBytes / MIB;
  const split = threads === null || threadsEnd === null ? null : {
    opendal: threadsEnd.opendal - threads.opendal, other: threadsEnd.other - threads.other,
    opendalFaults: threadsEnd.opendalFaults - threads.opendalFaults, otherFaults: threadsEnd.otherFaults - threads.otherFaults,
  };
  return {
    cpuMsPerMib: cpuMs / mib, mainMsPerMib: main === null || mainEnd === null ? null : (mainEnd - main) / mib, mbPerSecond: mib / seconds, objectBytes,
    opendalMsPerMib: split && split.opendal / mib, otherMsPerMib: split && split.other / mib,
    opendalFaultsPerMib: split && split.opendalFaults / mib, otherFaultsPerMib: split && split.otherFaults / mib,
  };
}

export async function benchUploadCost(root: string, pool: PagePool, rounds: number): Promise<void> {
  const servers: ObjectServer[] = [];
  try {
    await uploadRounds(root, pool, rounds, servers);
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
  }
}

async function uploadRounds(root: string, pool: PagePool, rounds: number, servers: ObjectServer[]): Promise<void> {
  const remote = async (start: () => Promise<ObjectServer>): Promise<() => ObjectStoreConfig> => {
    const server = await start();
    servers.push(server);
    return () => server.config;
  };
  const stores: Record<string, (dir: string) => ObjectStoreConfig> = {};
  for (const name of UPLOAD_STORES) {
    if (name === 'memory') stores.memory = () => ({ backend: 'memory' });
    if (name === 'fs') stores.fs = (dir) => ({ backend: 'fs', root: join(dir, 'objects') });
    if (name === 'azurite') stores.azurite = await remote(startAzurite);
    if (name === 's3rver') stores.s3rver = await remote(startS3rver);
  }
  const figures: Record<string, UploadFigures[]> = Object.fromEntries(Object.keys(stores).map((name) => [name, []]));
  await pool.hold();
  for (let round = 0; round < rounds; round++) {
    for (const [name, config] of Object.entries(stores)) {
      const dir = await mkdtemp(join(root, 'upload-'));
      try {
        figures[name].push(await uploadOnce(dir, config(dir), pool));
      } finally {
        await rm(dir, { recursive: true, force: true });
        const last = figures[name].at(-1);
        pool.wrote(FILL_MIB * MIB + (name === 'fs' && last ? last.objectBytes : 0));
        await pool.hold();
      }
    }
  }
  await pool.release();
  for (const name of Object.keys(stores)) {
    const of = (pick: (f: UploadFigures) => number | null) => median(figures[name].map((f) => pick(f) ?? Number.NaN));
    result(`tier_upload_alone_cpu_per_mib_${name}`, of((f) => f.cpuMsPerMib), 'ms/MiB');
    if (figures[name].every((f) => f.mainMsPerMib !== null)) result(`tier_upload_alone_main_thread_cpu_per_mib_${name}`, of((f) => f.mainMsPerMib), 'ms/MiB');
    if (figures[name].every((f) => f.opendalMsPerMib !== null)) {
      result(`tier_upload_alone_opendal_cpu_per_mib_${name}`, of((f) => f.opendalMsPerMib), 'ms/MiB');
      result(`tier_upload_alone_pool_and_v8_cpu_per_mib_${name}`, of((f) => f.otherMsPerMib), 'ms/MiB');
      result(`tier_upload_alone_opendal_faults_per_mib_${name}`, of((f) => f.opendalFaultsPerMib), 'faults/MiB');
      result(`tier_upload_alone_pool_and_v8_faults_per_mib_${name}`, of((f) => f.otherFaultsPerMib), 'faults/MiB');
    }
    result(`tier_upload_alone_rate_${name}`, of((f) => f.mbPerSecond), 'MB/s');
  }
}

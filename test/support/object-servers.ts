/**
 * Real object-storage servers for tests (TEAM.md: real components stay real): Azurite (blob
 * service, for opendal azblob) and s3rver (for opendal s3), each from node_modules on a free
 * loopback port with a throwaway directory, stopped by PID. Start commands follow
 * environment.md §4 (Azurite needs --disableTelemetry or it phones Azure).
 *
 *   const azurite = await startAzurite(); azurite.config  // ObjectStoreConfig for azblob
 *   await azurite.stop();
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, openSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlobServiceClient } from '@azure/storage-blob';
import type { ObjectStoreConfig } from '../../src/storage/objects/object-store-config';

const READY_TIMEOUT_MS = 20_000;
/** Azurite's well-known development account (public, documented by Microsoft). */
export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';
const BUCKET = 'tributary';

export interface ObjectServer {
  readonly config: ObjectStoreConfig;
  /** `--object-store` URL for the same server and bucket. */
  readonly url: string;
  readonly pid: number;
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export async function startAzurite(): Promise<ObjectServer> {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-azurite-'));
  const port = await freePort();
  const child = spawnServer(dir, require.resolve('azurite/dist/src/blob/main.js'), [
    '--blobHost', '127.0.0.1', '--blobPort', String(port), '--location', join(dir, 'data'),
    '--skipApiVersionCheck', '--loose', '--disableTelemetry', '--silent',
  ]);
  const endpoint = `http://127.0.0.1:${port}/${AZURITE_ACCOUNT}`;
  try {
    await waitForPort(port, child);
    const connection = `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_KEY};BlobEndpoint=${endpoint};`;
    // opendal cannot create containers; the Azure SDK can.
    await BlobServiceClient.fromConnectionString(connection).getContainerClient(BUCKET).createIfNotExists();
  } catch (error) {
    await stopChild(child, dir);
    throw error;
  }
  return {
    config: { backend: 'azblob', container: BUCKET, prefix: 'test', endpoint, accountName: AZURITE_ACCOUNT, accountKey: AZURITE_KEY },
    url: `azblob://${BUCKET}/test?endpoint=${encodeURIComponent(endpoint)}&account_name=${AZURITE_ACCOUNT}&account_key=${encodeURIComponent(AZURITE_KEY)}`,
    pid: child.pid!,
    stop: () => stopChild(child, dir),
  };
}

export async function startS3rver(): Promise<ObjectServer> {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-s3rver-'));
  const port = await freePort();
  const child = spawnServer(dir, require.resolve('s3rver/bin/s3rver.js'), [
    '-d', join(dir, 'data'), '-a', '127.0.0.1', '-p', String(port), '--no-vhost-buckets', '--configure-bucket', BUCKET,
  ]);
  try {
    await waitForPort(port, child);
  } catch (error) {
    await stopChild(child, dir);
    throw error;
  }
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    config: {
      backend: 's3', bucket: BUCKET, prefix: 'test', region: 'us-east-1', endpoint,
      accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER',
    },
    url: `s3://${BUCKET}/test?endpoint=${encodeURIComponent(endpoint)}&region=us-east-1&access_key_id=S3RVER&secret_access_key=S3RVER`,
    pid: child.pid!,
    stop: () => stopChild(child, dir),
  };
}

function spawnServer(dir: string, script: string, args: string[]): ChildProcess {
  const logFd = openSync(`${dir}.log`, 'a');
  const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', logFd, logFd] });
  running.add(child);
  child.once('exit', () => running.delete(child));
  return child;
}

async function stopChild(child: ChildProcess, dir: string): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    process.kill(child.pid!, 'SIGKILL');
    await exited;
  }
  rmSync(dir, { recursive: true, force: true });
  rmSync(`${dir}.log`, { force: true });
}

async function waitForPort(port: number, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`object server exited with code ${child.exitCode} before listening on ${port}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ host: '127.0.0.1', port }, () => { socket.destroy(); resolve(true); });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`object server did not listen on 127.0.0.1:${port} within ${READY_TIMEOUT_MS} ms`);
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

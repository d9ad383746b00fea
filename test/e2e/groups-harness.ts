/**
 * Brokers for consumer-group and idempotence end-to-end tests: in-process (startBroker with
 * the group plugin's timing shortened) or as a `tributary broker` child process that a test can
 * kill -9. Every broker listens on 127.0.0.1 at a free high port.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { Broker, startBroker } from '../../src/broker/broker';
import { groupsPlugin } from '../../src/broker/groups/groups-plugin';
import type { MembershipConfig } from '../../src/broker/groups/membership';
import { producersPlugin } from '../../src/broker/producers/producers-plugin';
import { loadConfig } from '../../src/config/load';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export function tempDataDir(label: string): string {
  return mkdtempSync(join(tmpdir(), `tributary-e2e-${label}-`));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** Group timing for tests: members starting together still meet, and sessions may be as short as 6 s (Kafka's minimum). */
export const TEST_GROUP_TIMING: Partial<MembershipConfig> = { initialRebalanceDelayMs: 300 };

export interface InProcessBroker {
  port: number;
  dataDir: string;
  broker: Broker;
  bootstrap: string;
  close(): Promise<void>;
}

export async function startGroupsBroker(dataDir: string, port?: number, timing: Partial<MembershipConfig> = TEST_GROUP_TIMING): Promise<InProcessBroker> {
  const listenPort = port ?? await freePort();
  const config = loadConfig({ env: {}, overrides: { 'data.dir': dataDir, 'broker.listen': `127.0.0.1:${listenPort}`, 'log.level': 'silent' } });
  const broker = await startBroker(config, [groupsPlugin(timing), producersPlugin()]);
  return { port: listenPort, dataDir, broker, bootstrap: `127.0.0.1:${listenPort}`, close: () => broker.close() };
}

/** A `tributary broker` process; `kill()` is kill -9. */
export interface ChildBroker {
  port: number;
  bootstrap: string;
  process: ChildProcess;
  kill(): Promise<void>;
}

export async function spawnBroker(dataDir: string, port: number): Promise<ChildBroker> {
  const child = spawn(process.execPath, ['scripts/tributary.cjs', 'broker', '--listen', `127.0.0.1:${port}`, '--data-dir', dataDir], {
    cwd: join(__dirname, '..', '..'), env: { ...process.env, TRIBUTARY_LOG_LEVEL: 'silent' }, stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  const deadline = Date.now() + 30_000;
  while (!(await accepts(port))) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`broker did not start (exit ${child.exitCode}): ${stderr}`);
    await sleep(100);
  }
  return {
    port, bootstrap: `127.0.0.1:${port}`, process: child,
    kill: () => new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    }),
  };
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
    socket.connect(port, '127.0.0.1');
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs: number, message: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${message}`);
    await sleep(50);
  }
}

export function kafkaClient(bootstrap: string, clientId = 'groups-e2e'): Kafka {
  return new Kafka({ clientId, brokers: [bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 8, initialRetryTime: 100 } });
}

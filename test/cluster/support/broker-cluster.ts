/**
 * A real multi-process cluster for tests: etcd members (test/support/etcd.ts), one shared fs
 * object store directory, and N broker processes started through the `tributary` command with
 * --etcd, each on a free loopback port with its own data dir. Broker logs go to files in the
 * cluster's temp dir (printed when a test fails to start one).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { type EtcdServer, startEtcdCluster } from '../../support/etcd';
import { run, type RunResult } from '../../e2e/support/run';

const CLI = join(__dirname, '..', '..', '..', 'scripts', 'tributary.cjs');
const READY_TIMEOUT_MS = 30_000;

export interface ClusterBroker {
  readonly id: number;
  readonly port: number;
  readonly dataDir: string;
  readonly logFile: string;
  process: ChildProcess | null;
}

export interface ClusterOptions {
  brokers: number;
  etcdMembers?: number;
  /** Extra TRIBUTARY_* environment for every broker. */
  env?: Record<string, string>;
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export class BrokerCluster {
  readonly brokers: ClusterBroker[] = [];

  private constructor(readonly root: string, readonly etcd: EtcdServer, readonly objectStoreUrl: string,
    private readonly env: Record<string, string>) {}

  static async start(options: ClusterOptions): Promise<BrokerCluster> {
    const root = mkdtempSync(join(tmpdir(), 'tributary-cluster-'));
    const etcd = await startEtcdCluster(options.etcdMembers ?? 1);
    const cluster = new BrokerCluster(root, etcd, `fs://${join(root, 'objects')}`, options.env ?? {});
    try {
      for (let id = 1; id <= options.brokers; id++) {
        cluster.brokers.push({ id, port: await freePort(), dataDir: join(root, `broker-${id}`), logFile: join(root, `broker-${id}.log`), process: null });
      }
      await Promise.all(cluster.brokers.map((b) => cluster.launch(b)));
      await cluster.waitForBrokers(options.brokers);
    } catch (err) {
      await cluster.stop();
      throw err;
    }
    return cluster;
  }

  get bootstrap(): string[] {
    return this.brokers.filter((b) => b.process !== null).map((b) => `127.0.0.1:${b.port}`);
  }

  broker(id: number): ClusterBroker {
    const broker = this.brokers.find((b) => b.id === id);
    if (!broker) throw new Error(`no broker ${id}`);
    return broker;
  }

  /**
   * A kafkajs client. requestTimeoutMs matters with a SIGSTOPped broker: its kernel still accepts
   * connections, so a request to it hangs until this timeout (kafkajs default 30 s).
   */
  kafka(clientId = 'cluster-test', brokers = this.bootstrap, requestTimeoutMs = 30_000): Kafka {
    // TRIBUTARY_KAFKAJS_LOG=warn|info|debug shows what the clients do (post-mortems).
    const level = { warn: logLevel.WARN, info: logLevel.INFO, debug: logLevel.DEBUG }[process.env.TRIBUTARY_KAFKAJS_LOG ?? ''] ?? logLevel.NOTHING;
    return new Kafka({ clientId, brokers, logLevel: level, requestTimeout: requestTimeoutMs,
      retry: { retries: 10, initialRetryTime: 100, maxRetryTime: 1000 } });
  }

  /** Starts (or restarts) a broker process and resolves once its port accepts connections. */
  async launch(broker: ClusterBroker): Promise<void> {
    const args = [CLI, 'broker', '--broker-id', String(broker.id), '--listen', `127.0.0.1:${broker.port}`,
      '--data-dir', broker.dataDir, '--etcd', this.etcd.endpoints.join(',')];
    const log = createWriteStream(broker.logFile, { flags: 'a' });
    const child = spawn(process.execPath, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, TRIBUTARY_LOG_LEVEL: 'info', TRIBUTARY_TIER_OBJECT_STORE: this.objectStoreUrl, ...this.env },
    });
    child.stdout!.pipe(log);
    child.stderr!.pipe(log);
    running.add(child);
    child.on('exit', () => {
      running.delete(child);
      if (broker.process === child) broker.process = null;
    });
    broker.process = child;
    await waitForPort(broker.port, child, broker.logFile);
  }

  /**
   * Starts one more broker process with `id` (on its own port and data dir) and waits for it to
   * exit: its exit code and everything it printed. Rejects if it is still running after timeoutMs.
   */
  async runUntilExit(id: number, timeoutMs: number): Promise<{ code: number | null; output: string }> {
    const port = await freePort();
    const args = [CLI, 'broker', '--broker-id', String(id), '--listen', `127.0.0.1:${port}`,
      '--data-dir', join(this.root, `extra-${id}-${port}`), '--etcd', this.etcd.endpoints.join(',')];
    const child = spawn(process.execPath, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, TRIBUTARY_LOG_LEVEL: 'info', TRIBUTARY_TIER_OBJECT_STORE: this.objectStoreUrl, ...this.env },
    });
    running.add(child);
    const output: Buffer[] = [];
    child.stdout!.on('data', (chunk: Buffer) => output.push(chunk));
    child.stderr!.on('data', (chunk: Buffer) => output.push(chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    const code = await new Promise<number | null>((resolve) => child.once('exit', (exitCode) => resolve(exitCode)));
    clearTimeout(timer);
    running.delete(child);
    const text = Buffer.concat(output).toString();
    if (code === null) throw new Error(`broker ${id} on port ${port} was still running after ${timeoutMs} ms:\n${text.slice(-2000)}`);
    return { code, output: text };
  }

  /** Sends a signal; for SIGKILL/SIGTERM resolves once the process is gone. */
  async signal(id: number, signal: NodeJS.Signals): Promise<void> {
    const child = this.broker(id).process;
    if (!child) return;
    if (signal === 'SIGSTOP' || signal === 'SIGCONT') {
      child.kill(signal);
      return;
    }
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
  }

  /** Waits until Metadata from every running broker lists `count` brokers. */
  async waitForBrokers(count: number, timeoutMs = READY_TIMEOUT_MS): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const seen = await Promise.all(this.bootstrap.map((b) => describeBrokers(this, b).catch(() => -1)));
      if (seen.length > 0 && seen.every((n) => n === count)) return;
      if (Date.now() > deadline) {
        const tails = this.brokers.map((b) => `broker ${b.id} (${b.process ? 'running' : 'not running'}):\n${safeRead(b.logFile).split('\n').slice(-5).join('\n')}`);
        throw new Error(`brokers never agreed on ${count} live brokers (saw ${seen.join(', ')})\n${tails.join('\n')}`);
      }
      await sleep(200);
    }
  }

  /** Creates a topic through kafkajs (any broker: the controller places it). */
  /** Creates a topic through kafkajs admin (waiting for its leaders); `configs` as topic config entries. */
  async createTopic(topic: string, numPartitions: number, configs: Record<string, string> = {}): Promise<void> {
    const admin = this.kafka().admin();
    await admin.connect();
    try {
      const configEntries = Object.entries(configs).map(([name, value]) => ({ name, value }));
      await admin.createTopics({ topics: [{ topic, numPartitions, configEntries }] });
    } finally {
      await admin.disconnect();
    }
  }

  /** Runs `tributary admin ARGS --etcd <this cluster>`; rejects on a non-zero exit (the message has the code and stderr). */
  admin(args: string[]): Promise<RunResult> {
    return run(process.execPath, [CLI, 'admin', ...args, '--etcd', this.etcd.endpoints.join(',')], '', 60_000);
  }

  logs(id: number): string {
    return readFileSync(this.broker(id).logFile, 'utf8');
  }

  async stop(): Promise<void> {
    await Promise.all(this.brokers.map((b) => this.signal(b.id, 'SIGKILL')));
    await this.etcd.stop();
    // TRIBUTARY_KEEP_CLUSTER=1 keeps data dirs and broker logs for a post-mortem.
    if (process.env.TRIBUTARY_KEEP_CLUSTER !== '1') rmSync(this.root, { recursive: true, force: true });
  }
}

async function describeBrokers(cluster: BrokerCluster, bootstrap: string): Promise<number> {
  const admin = cluster.kafka('cluster-probe', [bootstrap]).admin({ retry: { retries: 0 } });
  await admin.connect();
  try {
    return (await admin.describeCluster()).brokers.length;
  } finally {
    await admin.disconnect();
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, child: ChildProcess, logFile: string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  const { connect } = await import('node:net');
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`broker on port ${port} exited (${child.exitCode ?? child.signalCode}): ${safeRead(logFile).slice(-2000)}`);
    }
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => { socket.destroy(); resolve(true); });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`broker on port ${port} did not listen within ${READY_TIMEOUT_MS} ms`);
    await sleep(100);
  }
}

function safeRead(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

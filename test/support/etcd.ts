/**
 * Real etcd servers for tests (TEAM.md: real components stay real). Each server runs on free
 * loopback ports with a throwaway data dir and is SIGKILLed at the end (instant; graceful stop
 * of a cluster takes ~9 s, environment.md §3). Logs go to <dataDir>.log for post-mortems.
 *
 *   const etcd = await startEtcd();            // one member
 *   new Etcd3({ hosts: etcd.endpoints });
 *   await etcd.stop();
 *
 *   const cluster = await startEtcdCluster(3); // for failover tests
 *   await cluster.members[0].kill(); await cluster.members[0].restart();
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const ETCD_BINARY = process.env.TRIBUTARY_ETCD_BINARY ?? '/usr/bin/etcd';
const READY_TIMEOUT_MS = 20_000;

export interface EtcdMember {
  readonly name: string;
  readonly clientUrl: string;
  readonly dataDir: string;
  readonly logFile: string;
  /** pid of the running process, or null while killed. */
  readonly pid: number | null;
  /** SIGKILLs the member (a crash); its data dir stays for restart(). */
  kill(): Promise<void>;
  /** Starts the member again on its old data dir and ports; resolves once healthy. */
  restart(): Promise<void>;
}

export interface EtcdServer {
  /** Client URLs, e.g. ['http://127.0.0.1:41234']. */
  readonly endpoints: string[];
  readonly members: EtcdMember[];
  /** Index in members of the current raft leader (asked of the members still running). */
  leaderIndex(): Promise<number>;
  /** SIGKILLs every member and removes the data dirs. */
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export async function startEtcd(): Promise<EtcdServer> {
  return startEtcdCluster(1);
}

export async function startEtcdCluster(size: number): Promise<EtcdServer> {
  const root = mkdtempSync(join(tmpdir(), 'tributary-etcd-'));
  const ports = await freePorts(size * 2);
  const token = `tributary-${process.pid}-${Date.now()}`;
  const specs = Array.from({ length: size }, (_, i) => ({
    name: `m${i + 1}`,
    clientUrl: `http://127.0.0.1:${ports[2 * i]}`,
    peerUrl: `http://127.0.0.1:${ports[2 * i + 1]}`,
    dataDir: join(root, `m${i + 1}`),
  }));
  const initialCluster = specs.map((spec) => `${spec.name}=${spec.peerUrl}`).join(',');
  const members = specs.map((spec) => new Member(spec.name, spec.clientUrl, spec.dataDir, [
    '--name', spec.name, '--data-dir', spec.dataDir,
    '--listen-client-urls', spec.clientUrl, '--advertise-client-urls', spec.clientUrl,
    '--listen-peer-urls', spec.peerUrl, '--initial-advertise-peer-urls', spec.peerUrl,
    '--initial-cluster', initialCluster, '--initial-cluster-state', 'new', '--initial-cluster-token', token,
    '--logger=zap', `--log-outputs=${spec.dataDir}.log`,
  ]));
  try {
    await Promise.all(members.map((member) => member.restart()));
  } catch (error) {
    await Promise.all(members.map((member) => member.kill()));
    rmSync(root, { recursive: true, force: true });
    throw error;
  }
  return {
    endpoints: members.map((member) => member.clientUrl),
    members,
    leaderIndex: () => findLeader(members),
    async stop() {
      await Promise.all(members.map((member) => member.kill()));
      rmSync(root, { recursive: true, force: true });
    },
  };
}

class Member implements EtcdMember {
  private child: ChildProcess | null = null;

  constructor(readonly name: string, readonly clientUrl: string, readonly dataDir: string, private readonly args: string[]) {}

  get logFile(): string {
    return `${this.dataDir}.log`;
  }

  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  async kill(): Promise<void> {
    const child = this.child;
    if (child === null) return;
    this.child = null;
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    }
    running.delete(child);
  }

  async restart(): Promise<void> {
    if (this.child !== null) throw new Error(`etcd member ${this.name} is already running`);
    const child = spawn(ETCD_BINARY, this.args, { stdio: 'ignore' });
    this.child = child;
    running.add(child);
    const failed = new Promise<never>((_, reject) => {
      child.once('error', (error) => reject(new Error(`cannot start ${ETCD_BINARY}: ${error.message}`)));
      child.once('exit', (code, signal) => reject(new Error(
        `etcd member ${this.name} exited (${code ?? signal}) before it was healthy; see ${this.logFile}`)));
    });
    failed.catch(() => undefined);
    await Promise.race([waitHealthy(this.clientUrl), failed]);
  }
}

/** etcd's gRPC gateway: POST /v3/maintenance/status -> { header: { member_id }, leader }. */
async function findLeader(members: Member[]): Promise<number> {
  for (const member of members) {
    if (member.pid === null) continue;
    const status = await postJson(`${member.clientUrl}/v3/maintenance/status`, {}).catch(() => null) as
      { leader?: string } | null;
    if (!status?.leader) continue;
    for (const [index, candidate] of members.entries()) {
      if (candidate.pid === null) continue;
      const own = await postJson(`${candidate.clientUrl}/v3/maintenance/status`, {}).catch(() => null) as
        { header?: { member_id?: string } } | null;
      if (own?.header?.member_id === status.leader) return index;
    }
  }
  throw new Error('no running etcd member reports a leader');
}

function postJson(url: string, body: unknown): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', timeout: 2000, headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => { text += chunk.toString(); });
      res.on('end', () => {
        try {
          resolve(JSON.parse(text));
        } catch (error) {
          reject(error);
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error(`${url} timed out`)));
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

async function waitHealthy(clientUrl: string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!(await isHealthy(clientUrl))) {
    if (Date.now() > deadline) throw new Error(`etcd at ${clientUrl} not healthy after ${READY_TIMEOUT_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** etcd serves GET /health on its client port: {"health":"true"} once it has a leader. */
function isHealthy(clientUrl: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(`${clientUrl}/health`, { timeout: 1000 }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => { body += chunk.toString(); });
      res.on('end', () => resolve(res.statusCode === 200 && body.includes('"true"')));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

/** Distinct free loopback ports (held open together so none is handed out twice). */
async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(Array.from({ length: count }, () => new Promise<ReturnType<typeof createServer>>(
    (resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve(server));
    })));
  const ports = servers.map((server) => (server.address() as { port: number }).port);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

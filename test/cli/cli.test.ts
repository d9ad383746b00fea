import { expect } from 'chai';
import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../e2e/support/run';

const CLI = join(__dirname, '../../scripts/tributary.cjs');

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline && child.exitCode === null) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1', () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('broker did not open its port');
}

function exitOf(child: ChildProcess): Promise<{ code: number | null; stderr: string }> {
  const err: Buffer[] = [];
  child.stderr?.on('data', (c: Buffer) => err.push(c));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stderr: Buffer.concat(err).toString() })));
}

describe('tributary CLI', function () {
  this.timeout(60_000);
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tributary-cli-'));
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('starts a broker with --listen and --data-dir, serves kcat, and stops cleanly on SIGTERM', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, [CLI, 'broker', '--listen', `127.0.0.1:${port}`, '--data-dir', join(dir, 'x'), '--broker-id', '7'],
      { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, TRIBUTARY_LOG_LEVEL: 'warn' } });
    const exited = exitOf(child);
    await waitForPort(port, child);
    await run('/usr/bin/kcat', ['-P', '-b', `127.0.0.1:${port}`, '-t', 'cli-topic'], 'hello\n');
    const { stdout } = await run('/usr/bin/kcat', ['-L', '-b', `127.0.0.1:${port}`, '-t', 'cli-topic']);
    expect(stdout).to.match(/broker 7 at 127\.0\.0\.1:\d+/);
    expect(stdout).to.match(/topic "cli-topic" with 1 partitions/);
    child.kill('SIGTERM');
    expect((await exited).code).to.equal(0);
  });

  it('refuses to start on a bad flag value and names the key and the allowed values', async () => {
    const child = spawn(process.execPath, [CLI, 'broker', '--broker-id', 'seven', '--data-dir', dir], { stdio: ['ignore', 'ignore', 'pipe'] });
    const { code, stderr } = await exitOf(child);
    expect(code).to.equal(2);
    expect(stderr).to.match(/broker\.id.*seven.*integer from 0 to 2147483647/);
  });

  it('refuses to start on an unknown YAML key', async () => {
    const file = join(dir, 'bad.yml');
    writeFileSync(file, 'topics:\n  autoCreat: false\n');
    const child = spawn(process.execPath, [CLI, 'broker', '--config', file, '--data-dir', dir], { stdio: ['ignore', 'ignore', 'pipe'] });
    const { code, stderr } = await exitOf(child);
    expect(code).to.equal(2);
    expect(stderr).to.match(/topics\.autoCreat.*autoCreate/);
  });

  it('refuses an unknown flag', async () => {
    const child = spawn(process.execPath, [CLI, 'broker', '--port', '1'], { stdio: ['ignore', 'ignore', 'pipe'] });
    const { code, stderr } = await exitOf(child);
    expect(code).to.equal(2);
    expect(stderr).to.match(/--port/);
  });
});

import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedMetadataStore } from '../../src/coordination/embedded/embedded-store';
import { LOG_FILE } from '../../src/coordination/embedded/txn-log';
import { SNAPSHOT_FILE } from '../../src/coordination/embedded/snapshot';
import { isCoordinationError } from '../../src/coordination/errors';
import { put } from './helpers';

describe('Embedded metadata store durability', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'tributary-meta-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps every key and continues revisions after a reopen, but not the keys of its leases', async () => {
    const first = await EmbeddedMetadataStore.open(dir);
    const created = await put(first, '/a', '1');
    const updated = await put(first, '/a', '2');
    await put(first, '/b', '3');
    const lease = await first.grantLease(60_000);
    await put(first, '/leased', 'x', lease.id);
    await first.close();
    const second = await EmbeddedMetadataStore.open(dir);
    expect(await second.get('/a')).to.include({ value: '2', modRevision: updated, createRevision: created });
    expect(await second.get('/leased')).to.equal(null);
    expect(await put(second, '/c', '4') > updated).to.equal(true);
    await second.close();
  });

  it('refuses a second open of the same directory while the first is open', async () => {
    const store = await EmbeddedMetadataStore.open(dir);
    const error = await EmbeddedMetadataStore.open(dir).then(() => null, (e: unknown) => e);
    expect(isCoordinationError(error, 'STORE_LOCKED'), String(error)).to.equal(true);
    await store.close();
  });

  it('truncates a torn final record and keeps every earlier one', async () => {
    const store = await EmbeddedMetadataStore.open(dir);
    for (let i = 0; i < 10; i++) await put(store, `/k/${i}`, String(i));
    await store.close();
    // A crash mid-write leaves a header promising more bytes than follow.
    appendFileSync(join(dir, LOG_FILE), Buffer.from([0, 0, 1, 0, 1, 2, 3, 4, 123, 34]));
    const reopened = await EmbeddedMetadataStore.open(dir);
    expect((await reopened.list('/k/')).map((kv) => kv.value)).to.have.members(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    await put(reopened, '/k/after', 'x');
    await reopened.close();
    const again = await EmbeddedMetadataStore.open(dir);
    expect((await again.get('/k/after'))?.value).to.equal('x');
    await again.close();
  });

  it('writes a snapshot when the log grows past its limit and recovers from snapshot plus log', async () => {
    const store = await EmbeddedMetadataStore.open(dir, { logBytesMax: 4096 });
    await Promise.all(Array.from({ length: 300 }, (_, i) => put(store, `/s/${String(i).padStart(3, '0')}`, `value-${i}`)));
    await put(store, '/s/last', 'tail');
    const revision = store.stats().revision;
    expect(store.stats().logBytes).to.be.below(8192);
    await store.close();
    expect(existsSync(join(dir, SNAPSHOT_FILE))).to.equal(true);
    const reopened = await EmbeddedMetadataStore.open(dir);
    const kvs = await reopened.list('/s/');
    expect(kvs).to.have.length(301);
    expect(kvs[0]).to.include({ key: '/s/000', value: 'value-0' });
    expect(reopened.stats().revision).to.equal(revision);
    await reopened.close();
  });

  it('refuses to open on a damaged snapshot, naming the file, and releases the directory', async () => {
    writeFileSync(join(dir, SNAPSHOT_FILE), '{"revision": "12", "kvs": [');
    const error = await EmbeddedMetadataStore.open(dir).then(() => null, (e: unknown) => e);
    expect(isCoordinationError(error, 'STORE_FAILED'), String(error)).to.equal(true);
    expect((error as Error).message).to.contain(SNAPSHOT_FILE);
    const again = await EmbeddedMetadataStore.open(dir).then(() => null, (e: unknown) => e);
    expect(isCoordinationError(again, 'STORE_FAILED'), 'the lock was released: the same error, not STORE_LOCKED').to.equal(true);
  });

  it('shares one fdatasync among many concurrent writes (group commit)', async () => {
    const store = await EmbeddedMetadataStore.open(dir);
    const before = store.stats().fsyncs;
    const writes = 1000;
    await Promise.all(Array.from({ length: writes }, (_, i) => put(store, `/g/${i}`, 'x')));
    const fsyncs = store.stats().fsyncs - before;
    expect(fsyncs).to.be.at.least(1);
    expect(fsyncs, `${fsyncs} fsyncs for ${writes} writes`).to.be.below(writes / 10);
    expect(await store.list('/g/')).to.have.length(writes);
    await store.close();
  });

  it('refuses writes past the pending-commit limit without changing anything for them', async () => {
    const store = await EmbeddedMetadataStore.open(dir, { pendingCommitsMax: 10 });
    const outcomes = await Promise.allSettled(Array.from({ length: 11 }, (_, i) => put(store, `/p/${i}`, 'x')));
    const refused = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(refused).to.have.length(1);
    expect(isCoordinationError(refused[0].reason, 'STORE_OVERLOADED'), String(refused[0].reason)).to.equal(true);
    expect(await store.get('/p/10')).to.equal(null);
    const revision = store.stats().revision;
    await store.close();
    const reopened = await EmbeddedMetadataStore.open(dir);
    expect(await reopened.list('/p/')).to.have.length(10);
    expect(reopened.stats().revision).to.equal(revision);
    await reopened.close();
  });

  for (const [label, logBytesMax] of [['', undefined], [' while snapshots replace the log', 8192]] as const) {
    it(`keeps every acknowledged write when the writer process is killed with SIGKILL mid-stream${label}`, async function () {
      this.timeout(30_000);
      const acked = await runWriterUntilKilled(dir, 700, logBytesMax);
      const store = await EmbeddedMetadataStore.open(dir);
      const present = new Map((await store.list('/crash/k/')).map((kv) => [kv.key, kv.value]));
      const lost = acked.filter((n) => present.get(`/crash/k/${String(n).padStart(8, '0')}`) !== `v${n}`);
      expect(lost, 'acknowledged writes missing after kill -9').to.deep.equal([]);
      expect(await store.get('/crash/leased'), 'the dead owner\'s leased key').to.equal(null);
      if (logBytesMax !== undefined) expect(existsSync(join(dir, SNAPSHOT_FILE)), 'a snapshot was written').to.equal(true);
      await store.close();
    });
  }
});

/** Runs the writer child until it has acknowledged `acks` writes, SIGKILLs it, returns what it acknowledged. */
async function runWriterUntilKilled(dir: string, acks: number, logBytesMax?: number): Promise<number[]> {
  const args = ['--import', 'tsx', join(__dirname, 'fixtures', 'embedded-writer.ts'), dir, ...(logBytesMax ? [String(logBytesMax)] : [])];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const acked: number[] = [];
  let stderr = '';
  let buffered = '';
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) if (line.startsWith('ack ')) acked.push(Number(line.slice(4)));
      if (acked.length >= acks && child.exitCode === null) {
        child.kill('SIGKILL');
        resolve();
      }
    });
    child.on('exit', () => (acked.length >= acks ? resolve() : reject(new Error(`writer exited early: ${stderr}`))));
  });
  expect(await exited).to.equal('SIGKILL');
  return acked;
}

import { expect } from 'chai';
import { ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { join } from 'node:path';
import pino from 'pino';
import { LogManager } from '../../../src/storage/log-manager';
import type { FsyncPolicy } from '../../../src/storage/partition-log';
import { readAll } from '../partition-log.contract';
import { testBatchFormat } from '../support/test-batch-format';
import { crashBatch, crashBatchId } from './crash-batches';
import { removeDir, tempDir } from './wal-test-helpers';

const KILLS = 20;

interface ChildRun {
  acks: Array<{ seq: number; baseOffset: bigint }>;
}

/** A crash child started ahead of time; `killAfter` lets it open the log and run, then SIGKILLs it. */
class CrashChild {
  private readonly child: ChildProcessWithoutNullStreams;
  private out = '';
  private err = '';
  private readonly exited: Promise<NodeJS.Signals | null>;

  constructor(dataDir: string, private readonly run: number, policy: FsyncPolicy, preallocate: boolean) {
    this.child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'crash-child.ts'), dataDir, String(run), policy,
      preallocate ? 'preallocate' : 'grow']);
    this.child.stdout.on('data', (d: Buffer) => { this.out += d.toString(); });
    this.child.stderr.on('data', (d: Buffer) => { this.err += d.toString(); });
    this.exited = new Promise((resolve) => this.child.on('exit', (_code, signal) => resolve(signal)));
  }

  async killAfter(ms: number): Promise<ChildRun> {
    await this.waitFor('LOADED\n');
    this.child.stdin.write('go\n');
    await this.waitFor('READY\n');
    await new Promise((resolve) => setTimeout(resolve, ms));
    this.child.kill('SIGKILL');
    const signal = await this.exited;
    if (signal !== 'SIGKILL') throw new Error(`crash child exited on its own: ${this.err}`);
    const lines = this.out.split('\n').slice(0, -1);
    const acks = lines.filter((l) => l.startsWith('ACK ')).map((l) => {
      const [, r, seq, base] = l.split(' ');
      expect(Number(r)).to.equal(this.run);
      return { seq: Number(seq), baseOffset: BigInt(base) };
    });
    return { acks };
  }

  private async waitFor(marker: string): Promise<void> {
    while (!this.out.includes(marker)) {
      const exited = await Promise.race([this.exited.then(() => true), new Promise((resolve) => setTimeout(resolve, 5, false))]);
      if (exited) throw new Error(`crash child exited before ${marker.trim()}: ${this.err}`);
    }
  }
}

/** Kills the child `kills` times; after each kill, reopens the log and checks every batch. */
async function killRepeatedly(dataDir: string, kills: number, policy: FsyncPolicy, preallocate = false): Promise<number> {
  const acked = new Map<bigint, Buffer>();
  let totalAcks = 0;
  let next = new CrashChild(dataDir, 1, policy, preallocate);
  for (let run = 1; run <= kills; run++) {
    const { acks } = await next.killAfter(20 + Math.floor(Math.random() * 300));
    // The next child loads while this run is checked; it opens the log only when told to.
    if (run < kills) next = new CrashChild(dataDir, run + 1, policy, preallocate);
    totalAcks += acks.length;
    for (const a of acks) {
      const expected = crashBatch(run, a.seq);
      expected.writeBigInt64BE(a.baseOffset, 0);
      acked.set(a.baseOffset, expected);
    }
    const manager = new LogManager({ dataDir, logger: pino({ level: 'silent' }) });
    const log = await manager.open('crash', 0, {
      fsyncPolicy: policy, fsyncIntervalMs: 1000, segmentBytes: 256 * 1024, segmentMs: 3600_000,
      retentionBytes: -1, retentionMs: -1, batchFormat: testBatchFormat, preallocate,
    });
    const stored = await readAll(log);
    const storedOffsets = new Set<bigint>();
    for (const b of stored) {
      const offset = b.readBigInt64BE(0);
      storedOffsets.add(offset);
      let expected = acked.get(offset);
      if (!expected) {
        const id = crashBatchId(b);
        expected = crashBatch(id.run, id.seq);
        expected.writeBigInt64BE(offset, 0);
        acked.set(offset, expected);
      }
      expect(b.equals(expected), `stored batch at ${offset} is whole and what was acknowledged there`).to.equal(true);
    }
    for (const offset of acked.keys()) expect(storedOffsets.has(offset), `acknowledged batch at offset ${offset} (run ${run})`).to.equal(true);
    await manager.close();
  }
  return totalAcks;
}

describe('WAL crash safety', function () {
  this.timeout(120_000);
  let dataDir: string;
  beforeEach(async () => { dataDir = await tempDir(); });
  afterEach(async () => { await removeDir(dataDir); });

  it(`with fsync always, keeps every acknowledged batch byte for byte and shows nothing partial across ${KILLS} SIGKILLs`, async () => {
    expect(await killRepeatedly(dataDir, KILLS, 'always')).to.be.greaterThan(KILLS * 10);
  });

  it('with fsync always and preallocated segments (zeros after the frames at every kill), keeps every acknowledged batch across 10 SIGKILLs', async () => {
    expect(await killRepeatedly(dataDir, 10, 'always', true)).to.be.greaterThan(100);
  });

  it('with fsync never, loses nothing acknowledged to a process crash either (the page cache survives it)', async () => {
    expect(await killRepeatedly(dataDir, 4, 'never')).to.be.greaterThan(40);
  });
});

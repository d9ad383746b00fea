import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import pino from 'pino';
import { LogManager } from '../../../src/storage/log-manager';
import { readAll } from '../partition-log.contract';
import { testBatchFormat } from '../support/test-batch-format';
import { crashBatch, crashBatchId } from './crash-batches';
import { removeDir, tempDir } from './wal-test-helpers';

const KILLS = 20;

interface ChildRun {
  acks: Array<{ seq: number; baseOffset: bigint }>;
}

/** Runs the child until `killAfterMs` after it is ready, then SIGKILLs it; returns its complete ACK lines. */
function runAndKill(dataDir: string, run: number, killAfterMs: number): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'crash-child.ts'), dataDir, String(run)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let killTimer: NodeJS.Timeout | null = null;
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (!killTimer && out.includes('READY\n')) killTimer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    });
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    child.on('error', reject);
    child.on('exit', (_code, signal) => {
      if (killTimer) clearTimeout(killTimer);
      if (signal !== 'SIGKILL') return reject(new Error(`crash child exited on its own: ${err}`));
      const lines = out.split('\n').slice(0, -1);
      const acks = lines.filter((l) => l.startsWith('ACK ')).map((l) => {
        const [, r, seq, base] = l.split(' ');
        expect(Number(r)).to.equal(run);
        return { seq: Number(seq), baseOffset: BigInt(base) };
      });
      resolve({ acks });
    });
  });
}

describe('WAL crash safety', function () {
  this.timeout(120_000);
  let dataDir: string;
  before(async () => { dataDir = await tempDir(); });
  after(async () => { await removeDir(dataDir); });

  it(`keeps every acknowledged batch byte for byte and shows nothing partial across ${KILLS} SIGKILLs`, async () => {
    const acked = new Map<bigint, Buffer>();
    let totalAcks = 0;
    for (let run = 1; run <= KILLS; run++) {
      const { acks } = await runAndKill(dataDir, run, 20 + Math.floor(Math.random() * 300));
      totalAcks += acks.length;
      for (const a of acks) {
        const expected = crashBatch(run, a.seq);
        expected.writeBigInt64BE(a.baseOffset, 0);
        acked.set(a.baseOffset, expected);
      }
      const manager = new LogManager({ dataDir, logger: pino({ level: 'silent' }) });
      const log = await manager.open('crash', 0, {
        fsyncPolicy: 'always', fsyncIntervalMs: 1000, segmentBytes: 256 * 1024, segmentMs: 3600_000,
        retentionBytes: -1, retentionMs: -1, batchFormat: testBatchFormat,
      });
      const stored = await readAll(log);
      const byOffset = new Map(stored.map((b) => [b.readBigInt64BE(0), b]));
      for (const [offset, expected] of acked) {
        const found = byOffset.get(offset);
        expect(found, `acknowledged batch at offset ${offset} (run ${run})`).to.not.equal(undefined);
        expect(found!.equals(expected), `bytes of acknowledged batch at offset ${offset}`).to.equal(true);
      }
      for (const b of stored) {
        const id = crashBatchId(b);
        const expected = crashBatch(id.run, id.seq);
        expected.writeBigInt64BE(b.readBigInt64BE(0), 0);
        expect(b.equals(expected), `stored batch at ${b.readBigInt64BE(0)} is whole`).to.equal(true);
        acked.set(b.readBigInt64BE(0), expected);
      }
      await manager.close();
    }
    expect(totalAcks).to.be.greaterThan(KILLS * 10);
  });
});

/**
 * Child process of the crash test: prints LOADED, waits for a line on stdin (so the test can
 * start it while it still checks the previous run), then appends batches to a WAL (fsync
 * `always` unless told otherwise) from several concurrent appenders and prints
 * `ACK <run> <seq> <baseOffset>` for every acknowledged batch, until it is killed.
 * `preallocate` as a fourth argument preallocates the segments (a kill then leaves zeros after the frames).
 * Usage: node --import tsx crash-child.ts <dataDir> <run> [fsyncPolicy] [preallocate]
 */
import pino from 'pino';
import { LogManager } from '../../../src/storage/log-manager';
import { crashBatch } from './crash-batches';
import type { FsyncPolicy } from '../../../src/storage/partition-log';
import { testBatchFormat } from '../support/test-batch-format';

const APPENDERS = 16;

/**
 * process.stdout on a pipe writes synchronously on Linux (it blocks when the test reads slowly,
 * where fs.writeSync would fail with EAGAIN), so a line is out before the next append starts.
 */
function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

async function main(): Promise<void> {
  const [dataDir, runArg, policyArg, preallocateArg] = process.argv.slice(2);
  const run = Number(runArg);
  say('LOADED');
  await new Promise((resolve) => process.stdin.once('data', resolve));
  process.stdin.pause();
  const manager = new LogManager({ dataDir, logger: pino({ level: 'silent' }) });
  const log = await manager.open('crash', 0, {
    fsyncPolicy: (policyArg ?? 'always') as FsyncPolicy, fsyncIntervalMs: 1000, segmentBytes: 256 * 1024, segmentMs: 3600_000,
    retentionBytes: -1, retentionMs: -1, batchFormat: testBatchFormat, preallocate: preallocateArg === 'preallocate',
  });
  say('READY');
  let seq = 0;
  await Promise.all(Array.from({ length: APPENDERS }, async () => {
    for (;;) {
      const mine = seq++;
      const batch = crashBatch(run, mine);
      const r = await log.append({ batch, recordCount: testBatchFormat.recordCount(batch), maxTimestampMs: testBatchFormat.maxTimestampMs(batch) });
      say(`ACK ${run} ${mine} ${r.baseOffset}`);
    }
  }));
}

main().catch((err) => {
  process.stderr.write(`crash child failed: ${(err as Error).stack}\n`);
  process.exit(1);
});

import { expect } from 'chai';
import fc from 'fast-check';
import { isStorageError } from '../../../src/storage/errors';
import type { ReadResult } from '../../../src/storage/partition-log';
import type { WalLogConfig } from '../../../src/storage/wal/wal-config';
import { WalPartitionLog } from '../../../src/storage/wal/wal-partition-log';
import { testAppend } from '../support/test-batch-format';
import { openTestWal, WalTestHarness } from './wal-harness';
import { removeDir, tempDir } from './wal-test-helpers';

/** The simple in-memory model: batches in order and the log start. */
class ModelLog {
  batches: Array<{ base: bigint; next: bigint; bytes: Buffer; maxTs: bigint }> = [];
  start = 0n;
  end = 0n;

  read(offset: bigint, maxBytes: number): ReadResult | 'out-of-range' {
    if (offset < this.start || offset > this.end) return 'out-of-range';
    const result: ReadResult = { chunks: [], bytes: 0, nextOffset: offset };
    for (const b of this.batches) {
      if (b.next <= offset) continue;
      if (result.chunks.length > 0 && result.bytes + b.bytes.length > maxBytes) break;
      result.chunks.push(b.bytes);
      result.bytes += b.bytes.length;
      result.nextOffset = b.next;
    }
    return result;
  }

  boundaries(): bigint[] {
    return [...this.batches.map((b) => b.base), this.end];
  }
}

type Op =
  | { kind: 'append'; recordCount: number; payload: number; maxTs: number; seed: number }
  | { kind: 'burst'; sizes: number[]; seed: number }
  | { kind: 'read'; at: number; delta: number; maxBytes: number }
  | { kind: 'reopen' }
  | { kind: 'truncate'; at: number }
  | { kind: 'retention' }
  | { kind: 'time'; advanceMs: number }
  | { kind: 'lookup'; ts: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('append' as const), recordCount: fc.integer({ min: 1, max: 4 }), payload: fc.integer({ min: 0, max: 300 }), maxTs: fc.integer({ min: 0, max: 1000 }), seed: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('burst' as const), sizes: fc.array(fc.integer({ min: 0, max: 200 }), { minLength: 2, maxLength: 12 }), seed: fc.nat() }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('read' as const), at: fc.double({ min: 0, max: 1, noNaN: true }), delta: fc.constantFrom(-1, 0, 0, 0, 1), maxBytes: fc.integer({ min: 0, max: 2000 }) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'reopen' as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('truncate' as const), at: fc.double({ min: 0, max: 1, noNaN: true }) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'retention' as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('time' as const), advanceMs: fc.integer({ min: 0, max: 2000 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('lookup' as const), ts: fc.integer({ min: 0, max: 1100 }) }) },
);

const configArb = fc.record({
  fsyncPolicy: fc.constantFrom('always' as const, 'interval' as const, 'never' as const),
  segmentBytes: fc.constantFrom(60, 250, 1000, 1 << 20),
  segmentMs: fc.constantFrom(1000, 3600_000),
  retentionBytes: fc.constantFrom(-1, 0, 400, 3000),
  tailCacheBytes: fc.constantFrom(0, 600, 1 << 20),
});

function pick<T>(items: T[], at: number): T {
  return items[Math.min(items.length - 1, Math.floor(at * items.length))];
}

const hex = (chunks: Buffer[]) => chunks.map((c) => c.toString('hex'));

type Settings = { fsyncPolicy: WalLogConfig['fsyncPolicy']; segmentBytes: number; segmentMs: number; retentionBytes: number; tailCacheBytes: number };

async function runOps(ops: Op[], settings: Settings): Promise<void> {
  const dir = await tempDir();
  const harness = new WalTestHarness({ tailCacheBytes: settings.tailCacheBytes });
  const config: Partial<WalLogConfig> = { ...settings, retentionMs: -1 };
  const model = new ModelLog();
  let log: WalPartitionLog = await openTestWal(harness, dir, config);
  try {
    for (const op of ops) {
      if (op.kind === 'append') {
        const input = testAppend({ recordCount: op.recordCount, payload: op.payload, maxTimestampMs: BigInt(op.maxTs), seed: op.seed });
        const r = await log.append(input);
        expect(r.baseOffset).to.equal(model.end);
        model.batches.push({ base: model.end, next: r.nextOffset, bytes: Buffer.from(input.batch), maxTs: BigInt(op.maxTs) });
        model.end = r.nextOffset;
      } else if (op.kind === 'burst') {
        const inputs = op.sizes.map((size, i) => testAppend({ recordCount: 1 + (i % 3), payload: size, maxTimestampMs: BigInt(size), seed: op.seed + i }));
        const results = await Promise.all(inputs.map((input) => log.append(input)));
        results.forEach((r, i) => {
          expect(r.baseOffset).to.equal(model.end);
          model.batches.push({ base: model.end, next: r.nextOffset, bytes: Buffer.from(inputs[i].batch), maxTs: BigInt(op.sizes[i]) });
          model.end = r.nextOffset;
        });
      } else if (op.kind === 'read') {
        const span = Number(model.end - model.start) + 1;
        const offset = model.start + BigInt(Math.floor(op.at * span)) + BigInt(op.delta);
        const expected = model.read(offset, op.maxBytes);
        const actual = await log.read(offset, op.maxBytes).catch((e) => e);
        if (expected === 'out-of-range') {
          expect(isStorageError(actual, 'OFFSET_OUT_OF_RANGE'), `read ${offset} out of [${model.start}, ${model.end}]`).to.equal(true);
        } else {
          expect(hex(actual.chunks), `read ${offset} max ${op.maxBytes}`).to.deep.equal(hex(expected.chunks));
          expect([actual.nextOffset, actual.bytes]).to.deep.equal([expected.nextOffset, expected.bytes]);
        }
      } else if (op.kind === 'reopen') {
        await log.close();
        log = await openTestWal(harness, dir, config);
      } else if (op.kind === 'truncate') {
        const offset = pick(model.boundaries(), op.at);
        await log.truncate(offset);
        model.batches = model.batches.filter((b) => b.base < offset);
        model.end = offset;
      } else if (op.kind === 'retention') {
        await log.applyRetention();
        const start = log.logStartOffset();
        expect(model.boundaries()).to.include(start);
        expect(start >= model.start).to.equal(true);
        if (settings.retentionBytes < 0) expect(start).to.equal(model.start);
        model.batches = model.batches.filter((b) => b.base >= start);
        model.start = start;
      } else if (op.kind === 'time') {
        harness.nowMs += op.advanceMs;
      } else {
        const expected = model.batches.find((b) => b.maxTs >= BigInt(op.ts))?.base ?? null;
        expect(await log.offsetForTimestamp(BigInt(op.ts)), `time ${op.ts}`).to.equal(expected);
      }
      expect([log.logStartOffset(), log.highWatermark()]).to.deep.equal([model.start, model.end]);
    }
  } finally {
    await log.close();
    await harness.close();
    await removeDir(dir);
  }
}

describe('WAL against an in-memory model', function () {
  this.timeout(60_000);

  it('gives the same reads, offsets and time lookups as the model for any sequence of appends, reads, rotations, retention, truncations and reopenings', async () => {
    await fc.assert(fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 60 }), configArb, runOps), { numRuns: 250 });
  });
});

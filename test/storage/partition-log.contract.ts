/**
 * The PartitionLog contract: one suite run against every implementation (the WAL, the tiered
 * log). The harness opens (or reopens) a log stored in a directory; batches use the test
 * batch format, which the harness must configure.
 */
import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isStorageError, StorageErrorCode } from '../../src/storage/errors';
import type { PartitionLog } from '../../src/storage/partition-log';
import { STORAGE_LIMITS } from '../../src/limits';
import { storedBaseOffset, testAppend, testBatch } from './support/test-batch-format';

export interface PartitionLogHarness {
  /** Opens the log stored in `dir` (creating it when empty), configured with testBatchFormat. */
  open(dir: string): Promise<PartitionLog>;
  /** Releases what the harness shares between logs. */
  teardown?(): Promise<void>;
}

export async function expectStorageError(promise: Promise<unknown>, code: StorageErrorCode): Promise<void> {
  let caught: unknown = null;
  try {
    await promise;
  } catch (err) {
    caught = err;
  }
  expect(isStorageError(caught, code), `expected ${code}, got ${String(caught)}`).to.equal(true);
}

export async function readAll(log: PartitionLog, from = log.logStartOffset()): Promise<Buffer[]> {
  const out: Buffer[] = [];
  let offset = from;
  while (offset < log.highWatermark()) {
    const r = await log.read(offset, 1 << 20);
    expect(r.chunks.length).to.be.greaterThan(0);
    out.push(...r.chunks.map((c) => Buffer.from(c)));
    offset = r.nextOffset;
  }
  return out;
}

export function describePartitionLogContract(name: string, makeHarness: () => PartitionLogHarness): void {
  describe(`PartitionLog contract: ${name}`, () => {
    let harness: PartitionLogHarness;
    let dir: string;
    let log: PartitionLog;

    before(() => { harness = makeHarness(); });
    after(async () => { await harness.teardown?.(); });
    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), 'tributary-log-contract-'));
      log = await harness.open(dir);
    });
    afterEach(async () => {
      await log.close();
      await rm(dir, { recursive: true, force: true });
    });

    async function reopen(): Promise<PartitionLog> {
      await log.close();
      log = await harness.open(dir);
      return log;
    }

    it('starts empty, with the high watermark at the log start and an empty read there', async () => {
      expect(log.highWatermark()).to.equal(log.logStartOffset());
      const r = await log.read(log.highWatermark(), 1000);
      expect(r).to.deep.equal({ chunks: [], bytes: 0, nextOffset: log.highWatermark() });
    });

    it('assigns consecutive offsets by record count and writes the base offset into the stored batch', async () => {
      const a = await log.append(testAppend({ recordCount: 1 }));
      const b = await log.append(testAppend({ recordCount: 5 }));
      const c = await log.append(testAppend({ recordCount: 2 }));
      expect([a.baseOffset, b.baseOffset, c.baseOffset]).to.deep.equal([0n, 1n, 6n]);
      expect(c.nextOffset).to.equal(8n);
      expect(log.highWatermark()).to.equal(8n);
      const stored = await readAll(log);
      expect(stored.map(storedBaseOffset)).to.deep.equal([0n, 1n, 6n]);
    });

    it('makes a batch readable, byte for byte, by the time its append resolves', async () => {
      const input = testAppend({ recordCount: 3, payload: 500, seed: 7 });
      const expected = Buffer.from(input.batch);
      const r = await log.append(input);
      expected.writeBigInt64BE(r.baseOffset, 0);
      expect(log.highWatermark() >= r.nextOffset).to.equal(true);
      const read = await log.read(r.baseOffset, 1 << 20);
      expect(Buffer.concat(read.chunks).equals(expected)).to.equal(true);
    });

    it('reads whole batches starting with the batch that contains the requested offset', async () => {
      await log.append(testAppend({ recordCount: 4, seed: 1 }));
      await log.append(testAppend({ recordCount: 4, seed: 2 }));
      const r = await log.read(6n, 1 << 20);
      expect(r.chunks.map(storedBaseOffset)).to.deep.equal([4n]);
      expect(r.nextOffset).to.equal(8n);
      expect(r.bytes).to.equal(r.chunks[0].length);
    });

    it('stops at the byte budget but always returns at least one whole batch', async () => {
      for (let i = 0; i < 5; i++) await log.append(testAppend({ payload: 100, seed: i }));
      const one = await log.read(0n, 1);
      expect(one.chunks).to.have.length(1);
      expect(one.nextOffset).to.equal(1n);
      const size = one.chunks[0].length;
      const three = await log.read(1n, size * 3 + size - 1);
      expect(three.chunks.map(storedBaseOffset)).to.deep.equal([1n, 2n, 3n]);
      expect(three.bytes).to.equal(size * 3);
    });

    it('throws OFFSET_OUT_OF_RANGE below the log start and above the high watermark', async () => {
      await log.append(testAppend({ recordCount: 2 }));
      await expectStorageError(log.read(3n, 100), 'OFFSET_OUT_OF_RANGE');
      await expectStorageError(log.read(log.logStartOffset() - 1n, 100), 'OFFSET_OUT_OF_RANGE');
    });

    it('rejects an empty batch, a bad record count and an oversize batch with typed errors, losing nothing', async () => {
      await log.append(testAppend({ seed: 1 }));
      await expectStorageError(log.append({ batch: Buffer.alloc(0), recordCount: 1, maxTimestampMs: 0n }), 'INVALID_BATCH');
      await expectStorageError(log.append({ ...testAppend(), recordCount: 0 }), 'INVALID_BATCH');
      const huge = testBatch({ payload: STORAGE_LIMITS.batchBytesMax });
      await expectStorageError(log.append({ batch: huge, recordCount: 1, maxTimestampMs: 1000n }), 'BATCH_TOO_LARGE');
      expect(log.highWatermark()).to.equal(1n);
      const next = await log.append(testAppend({ seed: 2 }));
      expect(next.baseOffset).to.equal(1n);
    });

    it('gives concurrent appends distinct offsets in call order and acknowledges them all', async () => {
      const results = await Promise.all(Array.from({ length: 50 }, (_, i) => log.append(testAppend({ recordCount: 2, seed: i }))));
      expect(results.map((r) => r.baseOffset)).to.deep.equal(Array.from({ length: 50 }, (_, i) => BigInt(i * 2)));
      expect(log.highWatermark()).to.equal(100n);
    });

    it('keeps every batch byte for byte across close and reopen, and continues its offsets', async () => {
      for (let i = 0; i < 20; i++) await log.append(testAppend({ recordCount: 1 + (i % 3), payload: 10 + i * 37, seed: i }));
      const before = await readAll(log);
      const hwm = log.highWatermark();
      await reopen();
      expect(log.highWatermark()).to.equal(hwm);
      const after = await readAll(log);
      expect(after.length).to.equal(before.length);
      after.forEach((b, i) => expect(b.equals(before[i])).to.equal(true));
      expect((await log.append(testAppend())).baseOffset).to.equal(hwm);
    });

    it('finds the first batch whose max timestamp reaches a time', async () => {
      await log.append(testAppend({ recordCount: 2, maxTimestampMs: 100n }));
      await log.append(testAppend({ recordCount: 2, maxTimestampMs: 300n }));
      await log.append(testAppend({ recordCount: 2, maxTimestampMs: 200n }));
      await log.append(testAppend({ recordCount: 2, maxTimestampMs: 400n }));
      expect(await log.offsetForTimestamp(0n)).to.equal(0n);
      expect(await log.offsetForTimestamp(100n)).to.equal(0n);
      expect(await log.offsetForTimestamp(150n)).to.equal(2n);
      expect(await log.offsetForTimestamp(300n)).to.equal(2n);
      expect(await log.offsetForTimestamp(301n)).to.equal(6n);
      expect(await log.offsetForTimestamp(401n)).to.equal(null);
    });

    it('truncates at a batch boundary, continues offsets from there, and keeps that across reopen', async () => {
      for (let i = 0; i < 6; i++) await log.append(testAppend({ recordCount: 2, seed: i }));
      await log.truncate(6n);
      expect(log.highWatermark()).to.equal(6n);
      await expectStorageError(log.read(6n + 1n, 100), 'OFFSET_OUT_OF_RANGE');
      expect((await log.append(testAppend({ seed: 99 }))).baseOffset).to.equal(6n);
      const before = await readAll(log);
      await reopen();
      expect(log.highWatermark()).to.equal(7n);
      const after = await readAll(log);
      expect(after.map((b) => b.toString('hex'))).to.deep.equal(before.map((b) => b.toString('hex')));
    });

    it('refuses to truncate inside a batch', async () => {
      await log.append(testAppend({ recordCount: 4 }));
      await log.append(testAppend({ recordCount: 4 }));
      await expectStorageError(log.truncate(2n), 'INVALID_ARGUMENT');
      expect(log.highWatermark()).to.equal(8n);
    });

    it('throws LOG_CLOSED for appends and reads after close', async () => {
      await log.append(testAppend());
      await log.close();
      await expectStorageError(log.append(testAppend()), 'LOG_CLOSED');
      await expectStorageError(log.read(0n, 100), 'LOG_CLOSED');
      log = await harness.open(dir);
    });
  });
}

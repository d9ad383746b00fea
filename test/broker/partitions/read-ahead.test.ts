import { expect } from 'chai';
import { Partition } from '../../../src/broker/partitions/partition';
import { readAheadHeldBytes } from '../../../src/broker/partitions/read-ahead';
import { stateFreeProducers } from '../../../src/broker/partitions/producer-state-hook';
import { effectiveTopicConfig } from '../../../src/broker/topics/topic-config';
import { defaultConfig } from '../../../src/config/load';
import { KAFKA_BROKER_LIMITS } from '../../../src/limits';
import type { ReadResult } from '../../../src/storage/partition-log';
import { MemoryLog } from '../support/memory-log';
import { testBatch, testInspector } from '../support/test-batches';

const ref = { topic: 't', topicId: '00000000-0000-0000-0000-000000000001', partition: 0 };

/** A MemoryLog that records every read and can make reads fail. */
class CountingLog extends MemoryLog {
  readonly reads: Array<{ offset: bigint; maxBytes: number }> = [];
  readonly failingOffsets = new Set<bigint>();

  override async read(offset: bigint, maxBytes: number): Promise<ReadResult> {
    this.reads.push({ offset, maxBytes });
    if (this.failingOffsets.has(offset)) throw new Error(`disk read at ${offset} failed`);
    return super.read(offset, maxBytes);
  }
}

async function partitionWith(batches: number, bytesPerBatch = 100) {
  const log = new CountingLog(testInspector);
  const p = new Partition(ref, log, effectiveTopicConfig({}, defaultConfig().topics), { inspector: testInspector, producers: stateFreeProducers, now: () => 0n });
  for (let i = 0; i < batches; i++) await p.append(testBatch(1, 0n, bytesPerBatch));
  return { log, p };
}

const batchBytes = (r: ReadResult) => r.chunks.map((c) => c.length).reduce((a, b) => a + b, 0);

describe('Read-ahead for consumers that are behind', () => {
  afterEach(() => expect(readAheadHeldBytes(), 'every test releases what it read ahead').to.equal(0));

  it('starts the next read as soon as a read ends below the high watermark, and serves it to the next fetch', async () => {
    const { log, p } = await partitionWith(4);
    const first = await p.read(0n, 1);
    expect(first.nextOffset).to.equal(1n);
    expect(log.reads.map((r) => r.offset)).to.deep.equal([0n, 1n]);
    const second = await p.read(1n, 1);
    expect(second.nextOffset).to.equal(2n);
    expect(batchBytes(second)).to.equal(second.bytes);
    expect(second.chunks[0]).to.equal(log.batches[1].bytes);
    // The second read came from the one made ahead; the third is now under way.
    expect(log.reads.map((r) => r.offset)).to.deep.equal([0n, 1n, 2n]);
    await p.close();
  });

  it('reads nothing ahead for a consumer at the high watermark or a read that returned nothing', async () => {
    const { log, p } = await partitionWith(2);
    expect((await p.read(0n, 1_000_000)).nextOffset).to.equal(2n);
    expect((await p.read(2n, 1_000_000)).chunks).to.have.length(0);
    expect(log.reads).to.have.length(2);
    await p.close();
  });

  it('reads again when the next fetch asks for another offset or size', async () => {
    const { log, p } = await partitionWith(4);
    await p.read(0n, 1);
    await p.read(1n, 2);
    expect(log.reads.map((r) => [r.offset, r.maxBytes])).to.deep.equal([[0n, 1], [1n, 1], [1n, 2], [2n, 2]]);
    await p.close();
  });

  it('forgets a read ahead that failed: the fetch reads for itself, and sees the failure if it persists', async () => {
    const { log, p } = await partitionWith(4);
    log.failingOffsets.add(1n);
    await p.read(0n, 1);
    log.failingOffsets.clear();
    const second = await p.read(1n, 1);
    expect(second.chunks[0]).to.equal(log.batches[1].bytes);
    expect(log.reads.map((r) => r.offset)).to.deep.equal([0n, 1n, 1n, 2n]);
    log.failingOffsets.add(3n);
    await p.read(2n, 1);
    const err = await p.read(3n, 1).then(() => null, (e: Error) => e);
    expect(err?.message).to.equal('disk read at 3 failed');
    await p.close();
  });

  it('reads again when the read made ahead stopped at the high watermark of its time and more is durable now', async () => {
    const { log, p } = await partitionWith(0);
    await p.append(testBatch(1, 0n, 200));
    await p.append(testBatch(1, 0n, 100));
    // 250 bytes: the first read stops at the size (offset 1), the one made ahead at the high watermark (2).
    expect((await p.read(0n, 250)).nextOffset).to.equal(1n);
    await new Promise((resolve) => setImmediate(resolve));
    await p.append(testBatch(1, 0n, 100));
    const second = await p.read(1n, 250);
    expect(second.nextOffset, 'a Fetch gets what is durable now, not the older, shorter read').to.equal(3n);
    expect(log.reads.map((r) => r.offset).slice(0, 3)).to.deep.equal([0n, 1n, 1n]);
    await p.close();
  });

  it('still answers offset-out-of-range before serving anything read ahead', async () => {
    const { p } = await partitionWith(3);
    await p.read(0n, 1);
    const err = await p.read(5n, 1).then(() => null, (e: unknown) => e);
    expect(err).to.not.equal(null);
    await p.close();
  });

  it('keeps within the broker-wide byte budget and releases it on close', async () => {
    const big = KAFKA_BROKER_LIMITS.readAheadBytesMax;
    const { log, p } = await partitionWith(3);
    await p.read(0n, big + 1);
    // A read ahead of more than the whole budget is never started.
    expect(log.reads).to.have.length(1);
    await p.read(0n, 1);
    expect(log.reads).to.have.length(3);
    expect(readAheadHeldBytes()).to.be.greaterThan(0);
    await p.close();
  });
});

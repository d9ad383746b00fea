import { expect } from 'chai';
import type { BatchHeader } from '../../../src/broker/partitions/batch-inspector';
import { PRODUCER_LIMITS } from '../../../src/limits';
import { ProducerStateManager } from '../../../src/broker/producers/producer-state-manager';
import { MemoryLog } from '../support/memory-log';
import { header } from './headers';

/** Test batches: [8 base offset][8 producer id][2 epoch][4 base sequence][4 record count]. */
function batch(h: BatchHeader): Buffer {
  const b = Buffer.alloc(26);
  b.writeBigInt64BE(h.producerId, 8);
  b.writeInt16BE(h.producerEpoch, 16);
  b.writeInt32BE(h.baseSequence, 18);
  b.writeInt32BE(h.recordCount, 22);
  return b;
}

function* readHeaders(chunk: Buffer) {
  yield { baseOffset: chunk.readBigInt64BE(0), header: header(chunk.readBigInt64BE(8), chunk.readInt16BE(16), chunk.readInt32BE(18), chunk.readInt32BE(22)) };
}

const ref = { topic: 't', topicId: 'id', partition: 0 };

describe('Producer state manager', () => {
  it('rebuilds deduplication state from the batch headers in the log when a partition opens', async () => {
    const now = Date.now();
    const log = new MemoryLog({ setBaseOffset: (b, offset) => b.writeBigInt64BE(offset, 0) });
    for (const [pid, seq, count] of [[5n, 0, 2], [9n, 0, 1], [5n, 2, 3]] as const) {
      await log.append({ batch: batch(header(pid, 0, seq, count)), recordCount: count, maxTimestampMs: BigInt(now) });
    }
    const manager = new ProducerStateManager(readHeaders, () => now);
    await manager.partitionOpened(ref, log);
    expect(manager.beforeAppend(ref, header(5n, 0, 2, 3))).to.deep.equal({ kind: 'duplicate', baseOffset: 3n });
    expect(manager.beforeAppend(ref, header(9n, 0, 0, 1))).to.deep.equal({ kind: 'duplicate', baseOffset: 2n });
    expect(manager.beforeAppend(ref, header(5n, 0, 5, 1))).to.deep.equal({ kind: 'append' });
    manager.afterAppend(ref, header(5n, 0, 5, 1), 6n);
    expect(manager.beforeAppend(ref, header(5n, 0, 5, 1))).to.deep.equal({ kind: 'duplicate', baseOffset: 6n });
  });

  it('skips batches older than the producer id expiration when rebuilding', async () => {
    const now = Date.now();
    const log = new MemoryLog({ setBaseOffset: (b, offset) => b.writeBigInt64BE(offset, 0) });
    await log.append({ batch: batch(header(5n, 0, 0, 1)), recordCount: 1, maxTimestampMs: BigInt(now - 2 * 86_400_000) });
    const manager = new ProducerStateManager(readHeaders, () => now);
    await manager.partitionOpened(ref, log);
    expect(() => manager.beforeAppend(ref, header(5n, 0, 1, 1))).to.throw(/unknown here/);
  });
});

describe('Producer state rebuild limit', () => {
  it('reads at most rebuildScanOffsetsMax offsets below the high watermark', async () => {
    const now = Date.now();
    const log = new MemoryLog({ setBaseOffset: (b, offset) => b.writeBigInt64BE(offset, 0) });
    await log.append({ batch: batch(header(5n, 0, 0, 1)), recordCount: 1, maxTimestampMs: BigInt(now) });
    const filler = PRODUCER_LIMITS.rebuildScanOffsetsMax + 1;
    await log.append({ batch: batch(header(-1n, -1, -1, filler)), recordCount: filler, maxTimestampMs: BigInt(now) });
    await log.append({ batch: batch(header(6n, 0, 0, 1)), recordCount: 1, maxTimestampMs: BigInt(now) });
    const manager = new ProducerStateManager(readHeaders, () => now);
    await manager.partitionOpened(ref, log);
    expect(() => manager.beforeAppend(ref, header(5n, 0, 1, 1))).to.throw(/unknown here/);
    expect(manager.beforeAppend(ref, header(6n, 0, 0, 1)).kind).to.equal('duplicate');
  });
});

import { expect } from 'chai';
import { kafkaRecordCodec } from '../../../../src/broker/native/kafka-record-codec';
import { isRun, readStored, runMessages, StoppedAtBatchError } from '../../../../src/broker/native/subscriptions/stored-runs';
import type { StoredMessage, StoredRun } from '../../../../src/broker/native/subscriptions/types';
import { encodeMessageBatch } from '../../../../src/protocol/native/message-batch';
import { testRecordBatchInspector } from '../support/record-batch-inspector';

function stored(base: number, payloads: string[]): Buffer {
  const batch = encodeMessageBatch(payloads.map((p, i) => ({
    key: Buffer.from(`k${i}`), timestampMs: 1000n + BigInt(i), headers: [{ key: 'h', value: Buffer.from(p) }], payload: Buffer.from(p),
  })));
  batch.writeBigInt64BE(BigInt(base), 0);
  return batch;
}

describe('Stored runs: what dispatch reads from a partition log', () => {
  it('reads a well-formed uncompressed batch as one undecoded run covering its offsets', async () => {
    const chunk = Buffer.concat([stored(0, ['a', 'b', 'c']), stored(3, ['d'])]);
    const items = await readStored([chunk], 2, kafkaRecordCodec);
    expect(items.every((item) => isRun(item))).to.equal(true);
    expect((items as StoredRun[]).map((r) => [r.partition, r.first, r.last])).to.deep.equal([[2, 0n, 2n], [2, 3n, 3n]]);
    expect((items[0] as StoredRun).batch.equals(chunk.subarray(0, (items[0] as StoredRun).batch.length))).to.equal(true);
  });

  it('decodes a run into the same messages the record codec gives, only those of its range and those kept', async () => {
    const batch = stored(10, ['a', 'b', 'c', 'd', 'e']);
    const all = await kafkaRecordCodec.decodeBatches([batch], 0);
    const fromRun = runMessages({ partition: 0, batch, first: 11n, last: 13n }, (offset) => offset !== 12n);
    expect(fromRun).to.deep.equal(all.filter((m) => m.offset === 11n || m.offset === 13n));
  });

  it('uses the batch LogAppendTime as the publish time of a run\'s messages', () => {
    const batch = stored(0, ['a']);
    testRecordBatchInspector.setLogAppendTime(batch, 1_800_000_000_000n);
    expect(runMessages({ partition: 0, batch, first: 0n, last: 0n })[0].publishTimeMs).to.equal(1_800_000_000_000n);
  });

  it('decodes a batch whose offset deltas are not the record indexes, and lets no MESSAGE_BATCH carry it', async () => {
    const batch = stored(0, ['a', 'b']);
    // Second record's offsetDelta (zigzag 2 -> 4) at: header 61 + record 0 (1 + its length) + length, attributes, timestampDelta.
    const second = 61 + 1 + (batch[61] >> 1);
    expect(batch[second + 3]).to.equal(2);
    batch[second + 3] = 4;
    const items = await readStored([batch], 0, kafkaRecordCodec);
    expect(items.some((item) => isRun(item))).to.equal(false);
    expect((items as StoredMessage[]).map((m) => [m.offset, m.batch])).to.deep.equal([[0n, undefined], [2n, undefined]]);
  });

  it('stops at a batch that does not decode and keeps what came before it', async () => {
    const good = stored(0, ['a', 'b']);
    const bad = stored(2, ['c']);
    bad.writeInt16BE(3, 21); // claims lz4: the records are no LZ4 frame
    const error = await readStored([Buffer.concat([good, bad])], 0, kafkaRecordCodec).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(StoppedAtBatchError);
    expect((error as StoppedAtBatchError).offset).to.equal(2n);
    expect((error as StoppedAtBatchError).before.map((item) => isRun(item) && [item.first, item.last])).to.deep.equal([[0n, 1n]]);
  });
});

import { expect } from 'chai';
import { isDomainError } from '../../../src/broker/errors';
import { kafkaBatchInspector } from '../../../src/broker/kafka/batch-inspector';
import { crc32c } from '../../../src/protocol/primitives/crc32c';

/** A RecordBatch v2 with one record (key null, value "x"), laid out as in kafka-clients.md §6. */
function batchOf(options: { magic?: number; attributes?: number; recordCount?: number } = {}): Buffer {
  const record = Buffer.from([0x0e, 0x00, 0x00, 0x00, 0x01, 0x02, 0x78, 0x00]);
  const b = Buffer.alloc(61 + record.length);
  b.writeBigInt64BE(0n, 0);
  b.writeInt32BE(b.length - 12, 8);
  b.writeInt32BE(-1, 12);
  b.writeInt8(options.magic ?? 2, 16);
  b.writeInt16BE(options.attributes ?? 0, 21);
  b.writeInt32BE(0, 23);
  b.writeBigInt64BE(1000n, 27);
  b.writeBigInt64BE(1000n, 35);
  b.writeBigInt64BE(-1n, 43);
  b.writeInt16BE(-1, 51);
  b.writeInt32BE(-1, 53);
  b.writeInt32BE(options.recordCount ?? 1, 57);
  record.copy(b, 61);
  b.writeUInt32BE(crc32c(b.subarray(21)), 17);
  return b;
}

function kindOf(batch: Buffer, produceVersion?: number): string {
  try {
    kafkaBatchInspector.validate(batch, { produceVersion });
    return 'ok';
  } catch (err) {
    return isDomainError(err) ? err.kind : String(err);
  }
}

describe('Kafka batch checks on the append path', () => {
  it('accepts a well-formed RecordBatch v2 and reads its header', () => {
    const header = kafkaBatchInspector.validate(batchOf());
    expect(header).to.include({ lastOffsetDelta: 0, recordCount: 1, maxTimestamp: 1000n, producerId: -1n, isTransactional: false });
  });

  it('rejects a batch whose bytes do not match its CRC-32C', () => {
    const b = batchOf();
    b[b.length - 2] ^= 0xff;
    expect(kindOf(b)).to.equal('corrupt-batch');
  });

  it('rejects other magic values, truncated batches, two batches in one record set, control batches and bad counts', () => {
    expect(kindOf(batchOf({ magic: 1 }))).to.equal('invalid-record');
    expect(kindOf(batchOf({ magic: 5 }))).to.equal('corrupt-batch');
    expect(kindOf(batchOf().subarray(0, 65))).to.equal('invalid-record');
    expect(kindOf(batchOf().subarray(0, 30))).to.equal('invalid-record');
    expect(kindOf(Buffer.concat([batchOf(), batchOf()]))).to.equal('invalid-record');
    expect(kindOf(batchOf({ attributes: 0x20 }))).to.equal('invalid-record');
    expect(kindOf(batchOf({ recordCount: 3 }))).to.equal('invalid-record');
    expect(kindOf(batchOf({ attributes: 0x07 }))).to.equal('corrupt-batch');
  });

  it('accepts every compression codec without looking inside, and ZStandard only from Produce v7 (KIP-110)', () => {
    for (const codec of [1, 2, 3, 4]) expect(kindOf(batchOf({ attributes: codec }), 7)).to.equal('ok');
    expect(kindOf(batchOf({ attributes: 4 }), 6)).to.equal('unsupported-compression');
  });

  it('stamps LogAppendTime with a recomputed CRC and leaves the records untouched', () => {
    const b = batchOf();
    const records = Buffer.from(b.subarray(61));
    kafkaBatchInspector.setLogAppendTime(b, 5555n);
    expect(b.readInt16BE(21) & 0x08).to.equal(0x08);
    expect(kafkaBatchInspector.maxTimestampMs(b)).to.equal(5555n);
    expect(kindOf(b)).to.equal('ok');
    expect(b.subarray(61)).to.deep.equal(records);
  });

  it('rewrites the base offset outside the CRC', () => {
    const b = batchOf();
    kafkaBatchInspector.setBaseOffset(b, 42n);
    expect(b.readBigInt64BE(0)).to.equal(42n);
    expect(kindOf(b)).to.equal('ok');
    expect(kafkaBatchInspector.recordCount(b)).to.equal(1);
  });
});

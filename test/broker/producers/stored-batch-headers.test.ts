import { expect } from 'chai';
import { storedBatchHeaders } from '../../../src/broker/producers/stored-batch-headers';

/** A RecordBatch v2 header (reference §6) followed by `payloadBytes` of record bytes. */
function batch(baseOffset: bigint, producerId: bigint, epoch: number, baseSequence: number, count: number, attributes = 0, payloadBytes = 7): Buffer {
  const b = Buffer.alloc(61 + payloadBytes);
  b.writeBigInt64BE(baseOffset, 0);
  b.writeInt32BE(b.length - 12, 8);
  b.writeInt8(2, 16);
  b.writeInt16BE(attributes, 21);
  b.writeInt32BE(count - 1, 23);
  b.writeBigInt64BE(producerId, 43);
  b.writeInt16BE(epoch, 51);
  b.writeInt32BE(baseSequence, 53);
  b.writeInt32BE(count, 57);
  return b;
}

describe('Stored batch headers', () => {
  it('reads the producer fields of every batch in a chunk without decoding records', () => {
    const chunk = Buffer.concat([batch(10n, 7n, 1, 0, 3), batch(13n, 7n, 1, 3, 2, 0x30, 20)]);
    const headers = [...storedBatchHeaders(chunk)];
    expect(headers.map((h) => [h.baseOffset, h.header.producerId, h.header.producerEpoch, h.header.baseSequence, h.header.lastOffsetDelta, h.header.isControl]))
      .to.deep.equal([[10n, 7n, 1, 0, 2, false], [13n, 7n, 1, 3, 1, true]]);
  });

  it('stops at a truncated batch instead of reading past the chunk', () => {
    const whole = batch(0n, 1n, 0, 0, 1);
    expect([...storedBatchHeaders(Buffer.concat([whole, whole.subarray(0, 30)]))]).to.have.length(1);
  });
});

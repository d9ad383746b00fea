import { expect } from 'chai';
import fc from 'fast-check';
import { recordShapeProblem } from '../../../src/broker/native/record-shape';
import { BATCH } from '../../../src/protocol/kafka/record-batch';
import { decodeRecordBatch } from '../../../src/protocol/kafka/record-batch-builder';
import { readRecord } from '../../../src/protocol/kafka/records';
import { Reader } from '../../../src/protocol/primitives/reader';
import { encodeMessageBatch } from '../../../src/protocol/native/message-batch';
import type { OutgoingMessage } from '../../../src/protocol/native/messages';

const bytes = (maxLength: number) => fc.uint8Array({ maxLength }).map((a) => Buffer.from(a));
const messages: fc.Arbitrary<OutgoingMessage[]> = fc.array(fc.record({
  key: fc.option(bytes(40), { nil: null }),
  timestampMs: fc.bigInt({ min: 0n, max: 2n ** 45n }),
  headers: fc.array(fc.record({ key: fc.string({ maxLength: 10 }), value: fc.option(bytes(20), { nil: null }) }), { maxLength: 2 }),
  payload: bytes(300),
}), { minLength: 1, maxLength: 20 });

describe('Record shape check of SEND_BATCH records', () => {
  it('accepts every batch the native encoder writes', () => {
    fc.assert(fc.property(messages, (ms) => {
      const batch = encodeMessageBatch(ms);
      expect(recordShapeProblem(batch.subarray(BATCH.headerBytes), ms.length)).to.equal(null);
    }), { numRuns: 200 });
  });

  it('accepts a damaged batch only if it still decodes with offset deltas 0, 1, 2...', () => {
    fc.assert(fc.property(messages, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 3 }), (ms, damage) => {
      const batch = encodeMessageBatch(ms);
      const area = batch.subarray(BATCH.headerBytes);
      for (const [at, byte] of damage) area[at % area.length] = byte;
      if (recordShapeProblem(area, ms.length) !== null) return;
      const { records } = decodeRecordBatch(batch);
      expect(records.map((r) => r.offsetDelta)).to.deep.equal(ms.map((_, i) => i));
    }), { numRuns: 1000 });
  });

  it('refuses varints the record decoder refuses: a varlong of 2^64 or more, a varint past 32 bits', () => {
    // Record: length, attributes, timestampDelta, offsetDelta, key (null), value "x", no headers.
    const record = (timestampDelta: number[], offsetDelta: number[]) => {
      const body = Buffer.from([0, ...timestampDelta, ...offsetDelta, 0x01, 0x02, 0x78, 0x00]);
      return Buffer.concat([Buffer.from([body.length * 2]), body]);
    };
    const nine = Array(9).fill(0x80);
    expect(recordShapeProblem(record([...nine, 0x01], [0]), 1)).to.equal(null);
    expect(readRecord(new Reader(record([...nine, 0x01], [0]))).offsetDelta).to.equal(0);
    expect(recordShapeProblem(record([...nine, 0x02], [0]), 1)).to.equal('record 0 has no valid timestamp delta');
    expect(() => readRecord(new Reader(record([...nine, 0x02], [0])))).to.throw(/varlong exceeds 64 bits/);
    expect(recordShapeProblem(record([0], [0x80, 0x80, 0x80, 0x80, 0x10]), 1)).to.match(/record 0 has offset delta missing/);
    expect(() => readRecord(new Reader(record([0], [0x80, 0x80, 0x80, 0x80, 0x10])))).to.throw(/exceeds 32 bits/);
  });

  it('names the record and the reason', () => {
    const batch = encodeMessageBatch([{ key: null, timestampMs: 0n, headers: [], payload: Buffer.from('x') }]);
    const area = Buffer.from(batch.subarray(BATCH.headerBytes));
    expect(recordShapeProblem(area, 2)).to.equal('record 1 has no valid length');
    expect(recordShapeProblem(Buffer.concat([area, Buffer.from([0])]), 1)).to.equal('1 bytes follow the last record');
    area[3] = 0x02;
    expect(recordShapeProblem(area, 1)).to.equal('record 0 has offset delta 1, not 0');
  });
});

import { expect } from 'chai';
import fc from 'fast-check';
import { buildRecordBatch, decodeRecordBatch } from '../../../src/protocol/kafka/record-batch-builder';
import { validateProducedBatch } from '../../../src/protocol/kafka/record-batch-validation';
import { batchSlice, encodeMessageBatch, recordSpan } from '../../../src/protocol/native/message-batch';
import type { OutgoingMessage } from '../../../src/protocol/native/messages';

/** What the shared builder writes for the same messages: the reference the fast encoder must match byte for byte. */
function reference(messages: OutgoingMessage[]): Buffer {
  let baseTimestamp = messages[0].timestampMs;
  for (const m of messages) if (m.timestampMs < baseTimestamp) baseTimestamp = m.timestampMs;
  return buildRecordBatch({ baseTimestamp, records: messages.map((m) => ({ key: m.key, value: m.payload, headers: m.headers, timestamp: m.timestampMs })) });
}

const bytes = (maxLength: number) => fc.uint8Array({ maxLength }).map((a) => Buffer.from(a));
const message = (timestamp: fc.Arbitrary<bigint>): fc.Arbitrary<OutgoingMessage> => fc.record({
  key: fc.option(bytes(300), { nil: null }),
  timestampMs: timestamp,
  headers: fc.array(fc.record({ key: fc.string({ unit: 'grapheme', maxLength: 80 }), value: fc.option(bytes(200), { nil: null }) }), { maxLength: 3 }),
  payload: bytes(20_000),
});

describe('Native message batch encoder', () => {
  it('writes exactly the bytes of the shared RecordBatch builder for any messages and real timestamps', () => {
    const now = 1_800_000_000_000n;
    fc.assert(fc.property(fc.array(message(fc.bigInt({ min: now - 10n ** 10n, max: now + 10n ** 10n })), { minLength: 1, maxLength: 40 }), (messages) => {
      expect(encodeMessageBatch(messages).toString('hex')).to.equal(reference(messages).toString('hex'));
    }), { numRuns: 200 });
  });

  it('writes the same bytes as the builder for any int64 timestamps, extreme ones through the builder itself', () => {
    const int64 = fc.bigInt({ min: -(2n ** 62n), max: 2n ** 62n });
    fc.assert(fc.property(fc.array(message(int64), { minLength: 1, maxLength: 5 }), (messages) => {
      expect(encodeMessageBatch(messages).equals(reference(messages))).to.equal(true);
    }), { numRuns: 100 });
  });

  it('builds a batch a Kafka produce accepts, with 10,000 records and multi-byte varints', () => {
    const messages = Array.from({ length: 10_000 }, (_, i) => ({ key: i % 2 ? Buffer.from(`k${i}`) : null, timestampMs: 1000n + BigInt(i * 70_000), headers: [], payload: Buffer.alloc(i % 300) }));
    const batch = encodeMessageBatch(messages);
    expect(validateProducedBatch(batch, { produceVersion: 11 })).to.include({ ok: true });
    expect(batch.equals(reference(messages))).to.equal(true);
  });

  it('refuses an empty batch', () => {
    expect(() => encodeMessageBatch([])).to.throw(/at least one record/);
  });
});

describe('MESSAGE_BATCH slices (protocol version 4)', () => {
  const messages = (n: number): OutgoingMessage[] => Array.from({ length: n }, (_, i) => ({
    key: i % 2 === 0 ? Buffer.from(`k${i}`) : null, timestampMs: 1000n + BigInt(i), headers: [{ key: 'h', value: Buffer.alloc(i * 40, i) }], payload: Buffer.alloc(i * 70, i),
  }));

  it('cuts out the records of any range with a header saying how many follow, each record as stored', () => {
    const batch = encodeMessageBatch(messages(12));
    const { records } = decodeRecordBatch(batch);
    for (let first = 0; first < 12; first++) {
      for (let count = 1; first + count <= 12; count++) {
        const slice = batchSlice(batch, first, count);
        const [start, end] = recordSpan(batch, first, count);
        expect(slice.subarray(61).equals(batch.subarray(start, end))).to.equal(true);
        expect(slice.readInt32BE(57)).to.equal(count);
        expect(slice.readInt32BE(8)).to.equal(slice.length - 12);
        expect(slice.subarray(12, 57).subarray(4).equals(batch.subarray(16, 57))).to.equal(true);
        const sliced = decodeRecordBatch(slice).records;
        expect(sliced.map((r) => r.offset)).to.deep.equal(records.slice(first, first + count).map((r) => r.offset));
        expect(sliced).to.deep.equal(records.slice(first, first + count));
      }
    }
  });
});

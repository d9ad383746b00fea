import { expect } from 'chai';
import fc from 'fast-check';
import { validateProducedBatch } from '../../../src/protocol/kafka/record-batch-validation';
import { encodeMessageBatch } from '../../../src/protocol/native/message-batch';
import type { OutgoingMessage } from '../../../src/protocol/native/messages';
import { encodeHeaderSection, OpenBatch } from '../../../src/protocol/native/open-batch';

/** The messages written one by one into an OpenBatch (string payloads as UTF-8 when `asString`). */
function written(messages: OutgoingMessage[], asString: boolean): Buffer {
  const batch = new OpenBatch(16);
  for (const m of messages) {
    expect(batch.accepts(Number(m.timestampMs))).to.equal(true);
    batch.append(m.key, encodeHeaderSection(m.headers), Number(m.timestampMs), asString ? m.payload.toString('utf8') : m.payload);
  }
  return batch.finish();
}

const bytes = (maxLength: number) => fc.uint8Array({ maxLength }).map((a) => Buffer.from(a));
const now = 1_800_000_000_000;

describe('Native open batch (the producer writes records as messages arrive)', () => {
  it('writes exactly the bytes of the message batch encoder for messages in timestamp order', () => {
    const message = fc.record({
      key: fc.option(bytes(300), { nil: null }),
      headers: fc.array(fc.record({ key: fc.string({ unit: 'grapheme', maxLength: 80 }), value: fc.option(bytes(200), { nil: null }) }), { maxLength: 3 }),
      payload: bytes(20_000),
    });
    const run = fc.array(fc.tuple(message, fc.integer({ min: 0, max: 10 ** 9 })), { minLength: 1, maxLength: 40 });
    fc.assert(fc.property(run, (steps) => {
      let t = now;
      const messages = steps.map(([m, step]) => ({ ...m, timestampMs: BigInt((t += step)) }));
      expect(written(messages, false).toString('hex')).to.equal(encodeMessageBatch(messages).toString('hex'));
    }), { numRuns: 200 });
  });

  it('writes string payloads as their UTF-8 bytes', () => {
    fc.assert(fc.property(fc.array(fc.string({ unit: 'grapheme', maxLength: 200 }), { minLength: 1, maxLength: 30 }), (texts) => {
      const messages = texts.map((text) => ({ key: null, headers: [], timestampMs: BigInt(now), payload: Buffer.from(text, 'utf8') }));
      expect(written(messages, true).equals(encodeMessageBatch(messages))).to.equal(true);
    }), { numRuns: 100 });
  });

  it('grows past its first buffer and stays a batch a Kafka produce accepts (10,000 records, multi-byte varints)', () => {
    const messages = Array.from({ length: 10_000 }, (_, i) => ({ key: i % 2 ? Buffer.from(`k${i}`) : null, timestampMs: BigInt(now + i * 70_000), headers: [], payload: Buffer.alloc(i % 300, i) }));
    const batch = written(messages, false);
    expect(validateProducedBatch(batch, { produceVersion: 11 })).to.include({ ok: true });
    expect(batch.equals(encodeMessageBatch(messages))).to.equal(true);
  });

  it('appends a run of payloads up to a byte limit, the first record of an empty batch whatever its size, and writes what append() would', () => {
    const payloads = Array.from({ length: 50 }, (_, i) => (i % 2 ? Buffer.alloc(100, i) : 'y'.repeat(100)));
    const one = new OpenBatch(64);
    expect(one.appendMany(null, encodeHeaderSection([]), now, [Buffer.alloc(5000)], 0, 1, 1000)).to.equal(1);
    const capped = new OpenBatch(64);
    const key = Buffer.from('k');
    const headers = encodeHeaderSection([{ key: 'h', value: Buffer.from('v') }]);
    const taken = capped.appendMany(key, headers, now, payloads, 3, 50, 2000);
    expect(capped.bytes).to.be.at.most(2000);
    expect(taken).to.be.greaterThan(10).and.lessThan(47);
    const single = new OpenBatch(64);
    for (let i = 3; i < 3 + taken; i++) single.append(key, headers, now, payloads[i]);
    expect(capped.finish().equals(single.finish())).to.equal(true);
  });

  it('takes no message older than its first, nor one whose delta would leave the safe integers', () => {
    const batch = new OpenBatch(64);
    expect(batch.accepts(-5)).to.equal(true);
    batch.append(null, encodeHeaderSection([]), now, Buffer.from('a'));
    expect(batch.accepts(now - 1)).to.equal(false);
    expect(batch.accepts(now)).to.equal(true);
    expect(batch.accepts(now + 2 ** 51)).to.equal(true);
    expect(batch.accepts(now + 2 ** 51 + 1)).to.equal(false);
  });
});

import { expect } from 'chai';
import { BatchMessages, type ReceivedMessage } from '../../src/client/received';
import { ItemSource, MessageQueue } from '../../src/client/message-queue';
import { decodeRecordBatch } from '../../src/protocol/kafka/record-batch-builder';
import { batchSlice, encodeMessageBatch } from '../../src/protocol/native/message-batch';

const MESSAGES = Array.from({ length: 6 }, (_, i) => ({
  key: i === 2 ? null : Buffer.from(`k${i}`), timestampMs: 5000n + BigInt(i * 3), headers: i === 1 ? [{ key: 'h', value: Buffer.from('v') }] : [],
  payload: Buffer.from(`{"n":${i}}`),
}));

function stored(base: bigint): Buffer {
  const batch = encodeMessageBatch(MESSAGES);
  batch.writeBigInt64BE(base, 0);
  return batch;
}

function fields(m: ReceivedMessage) {
  return [m.topic, m.partition, m.offset, m.publishTimeMs, m.key?.toString() ?? null, m.headers.map((h) => `${h.key}=${h.value}`).join(), m.payload.toString(), m.redeliveryCount];
}

function takeAll(source: BatchMessages): ReceivedMessage[] {
  const out: ReceivedMessage[] = [];
  while (source.remaining > 0) out.push(source.take());
  return out;
}

describe('Client messages of a MESSAGE_BATCH push', () => {
  const expected = (from: number, to: number) => MESSAGES.slice(from, to + 1).map((m, k) => {
    const i = from + k;
    return ['/default/t', 3, 100n + BigInt(i), m.timestampMs, m.key?.toString() ?? null, m.headers.map((h) => `${h.key}=${h.value}`).join(), m.payload.toString(), 0];
  });

  it('gives the records of the range of a whole stored batch, with every field as stored', () => {
    const source = new BatchMessages('/default/t', 3, stored(100n), 101n, 104n, 'json');
    expect(source.remaining).to.equal(4);
    const taken = takeAll(source);
    expect(taken.map(fields)).to.deep.equal(expected(1, 4));
    expect(taken[0].value()).to.deep.equal({ n: 1 });
  });

  it('gives the same messages from a version 4 slice of the batch', () => {
    const slice = batchSlice(stored(100n), 2, 3);
    const taken = takeAll(new BatchMessages('/default/t', 3, slice, 102n, 104n, 'bytes'));
    expect(taken.map(fields)).to.deep.equal(expected(2, 4));
    expect(decodeRecordBatch(slice).records.map((r) => r.offset)).to.deep.equal([102n, 103n, 104n]);
  });

  it('refuses a batch whose records do not fit it when it arrives', () => {
    const batch = stored(0n).subarray(0, 80);
    expect(() => new BatchMessages('t', 0, batch, 0n, 5n, 'bytes')).to.throw(/does not fit|malformed/);
  });

  it('queues a batch as one entry that yields its messages one at a time, in order with single messages', () => {
    const queue = new MessageQueue<string>();
    let made = 0;
    class Three extends ItemSource<string> {
      remaining = 3;
      take(): string {
        made++;
        return `b${3 - this.remaining--}`;
      }
    }
    queue.push('a');
    queue.pushSource(new Three());
    queue.push('c');
    expect(queue.length).to.equal(5);
    expect(made).to.equal(0);
    expect([queue.shift(), queue.shift()]).to.deep.equal(['a', 'b0']);
    expect(made).to.equal(1);
    expect(queue.length).to.equal(3);
    expect([queue.shift(), queue.shift(), queue.shift(), queue.shift()]).to.deep.equal(['b1', 'b2', 'c', undefined]);
  });
});

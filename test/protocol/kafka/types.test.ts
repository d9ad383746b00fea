import { expect } from 'chai';
import { decodeMessage, encodeMessage } from '../../../src/protocol/kafka/codec';
import { Fetch, Produce } from '../../../src/protocol/kafka/messages';
import type { RequestOf, ResponseInput } from '../../../src/protocol/kafka/schema';
import { Reader } from '../../../src/protocol/primitives/reader';
import { Writer } from '../../../src/protocol/primitives/writer';

describe('Message types derived from descriptions', () => {
  it('type decoded requests field by field (int64 as bigint, records as Buffer | null)', () => {
    const bytes = encodeMessage(Produce.request, 7, {
      acks: -1, timeoutMs: 30000, topicData: [{ name: 't', partitionData: [{ index: 0, records: Buffer.from([1]) }] }],
    }, new Writer()).toBuffer();
    const request: RequestOf<typeof Produce> = decodeMessage(Produce.request, 7, new Reader(bytes));
    const records: Buffer | null = request.topicData[0].partitionData[0].records;
    const transactionalId: string | null = request.transactionalId;
    // @ts-expect-error acks is a number, not a string
    const wrong: string = request.acks;
    expect([records, transactionalId, wrong]).to.deep.equal([Buffer.from([1]), null, -1]);
  });

  it('let handlers leave out fields that take their defaults when building a response', () => {
    const response: ResponseInput<typeof Fetch> = {
      responses: [{ topic: 't', partitions: [{ partitionIndex: 0, highWatermark: 5n, records: Buffer.alloc(0) }] }],
    };
    // @ts-expect-error highWatermark is an int64 (bigint)
    const bad: ResponseInput<typeof Fetch> = { responses: [{ partitions: [{ highWatermark: 5 }] }] };
    expect(bad).to.be.an('object');
    const bytes = encodeMessage(Fetch.response, 11, response, new Writer()).toBuffer();
    const decoded = decodeMessage(Fetch.response, 11, new Reader(bytes));
    expect(decoded.responses[0].partitions[0]).to.include({ lastStableOffset: -1n, preferredReadReplica: -1 });
    expect(decoded.responses[0].partitions[0].abortedTransactions).to.deep.equal([]);
  });
});

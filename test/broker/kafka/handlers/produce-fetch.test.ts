import { expect } from 'chai';
import { fetchHandler } from '../../../../src/broker/kafka/handlers/fetch';
import { listOffsetsHandler } from '../../../../src/broker/kafka/handlers/list-offsets';
import { produceHandler } from '../../../../src/broker/kafka/handlers/produce';
import { testBatch } from '../../support/test-batches';
import { ctx, testServices, TestServices } from '../../support/test-services';

function produceRequest(acks: number, topicData: Array<{ name: string; partitionData: Array<{ index: number; records: Buffer | null }> }>) {
  return { transactionalId: null, acks, timeoutMs: 1000, topicData };
}

describe('Produce, Fetch and ListOffsets handlers', () => {
  let t: TestServices;

  beforeEach(async () => {
    t = await testServices();
    await t.services.topics.create({ name: 'p', partitions: 2, configs: { 'max.message.bytes': '1000' } });
  });

  afterEach(() => t.stop());

  it('appends each partition\'s batch and answers the assigned base offsets', async () => {
    const produce = produceHandler(t.services);
    await produce.handle(produceRequest(1, [{ name: 'p', partitionData: [{ index: 0, records: testBatch(5) }] }]), ctx(0, 7));
    const res = await produce.handle(produceRequest(-1, [{ name: 'p', partitionData: [{ index: 0, records: testBatch(2) }, { index: 1, records: testBatch(1) }] }]), ctx(0, 7));
    const parts = res.responses[0].partitionResponses;
    expect(parts.map((p: { errorCode: number; baseOffset: bigint }) => [p.errorCode, p.baseOffset])).to.deep.equal([[0, 5n], [0, 0n]]);
  });

  it('fails one partition with its own code and leaves its siblings unaffected', async () => {
    const res = await produceHandler(t.services).handle(produceRequest(1, [
      { name: 'p', partitionData: [{ index: 0, records: testBatch(1, 0n, 5000) }, { index: 1, records: testBatch(1) }, { index: 9, records: testBatch(1) }] },
      { name: 'missing', partitionData: [{ index: 0, records: testBatch(1) }] },
      { name: 'p', partitionData: [{ index: 1, records: testBatch(0) }] },
    ]), ctx(0, 7));
    const codes = res.responses.map((r: { partitionResponses: Array<{ errorCode: number }> }) => r.partitionResponses.map((p) => p.errorCode));
    expect(codes).to.deep.equal([[10, 0, 3], [3], [2]]);
  });

  it('opens a released partition again on the next produce, and answers unknown topic once its topic is deleted', async () => {
    const produce = produceHandler(t.services);
    const codesAndOffsets = async () => {
      const res = await produce.handle(produceRequest(1, [{ name: 'p', partitionData: [{ index: 0, records: testBatch(2) }] }]), ctx(0, 7));
      const [part] = res.responses[0].partitionResponses;
      return [part.errorCode, part.baseOffset];
    };
    expect(await codesAndOffsets()).to.deep.equal([0, 0n]);
    const first = t.services.partitions.openNow('p', 0);
    expect(first).to.not.equal(undefined);
    await t.services.partitions.release('p', 0);
    expect(t.services.partitions.openNow('p', 0)).to.equal(undefined);
    // The test opener gives every open a new in-memory log, so the reopened partition starts at 0.
    expect(await codesAndOffsets()).to.deep.equal([0, 0n]);
    const reopened = t.services.partitions.openNow('p', 0);
    expect(reopened).to.not.equal(undefined).and.to.not.equal(first);
    expect(reopened!.highWatermark()).to.equal(2n);
    await t.services.topics.delete('p');
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(t.services.partitions.openNow('p', 0)).to.equal(undefined);
    expect((await codesAndOffsets())[0]).to.equal(3);
  });

  it('sends no response for acks=0 but still appends', async () => {
    const res = await produceHandler(t.services).handle(produceRequest(0, [{ name: 'p', partitionData: [{ index: 0, records: testBatch(3) }] }]), ctx(0, 7));
    expect(res).to.equal(null);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect((await t.services.partitions.get('p', 0)).highWatermark()).to.equal(3n);
  });

  it('rejects an acks value other than 0, 1 and -1', async () => {
    const res = await produceHandler(t.services).handle(produceRequest(2, [{ name: 'p', partitionData: [{ index: 0, records: testBatch(1) }] }]), ctx(0, 7));
    expect(res.responses[0].partitionResponses[0].errorCode).to.equal(21);
  });

  it('fetches from the batch containing the offset with HWM, LSO and log start, and answers out-of-range offsets', async () => {
    await produceHandler(t.services).handle(produceRequest(1, [{ name: 'p', partitionData: [{ index: 0, records: testBatch(4) }] }]), ctx(0, 7));
    const res = await fetchHandler(t.services).handle({
      maxWaitMs: 0, minBytes: 1, maxBytes: 1 << 20,
      topics: [{ topic: 'p', partitions: [{ partition: 0, fetchOffset: 2n, partitionMaxBytes: 1 << 20 }, { partition: 0, fetchOffset: 9n, partitionMaxBytes: 100 }] }],
    }, ctx(1, 11));
    const [hit, outOfRange] = res.responses[0].partitions;
    expect(res.sessionId).to.equal(0);
    expect([hit.errorCode, hit.highWatermark, hit.lastStableOffset, hit.logStartOffset, hit.preferredReadReplica]).to.deep.equal([0, 4n, 4n, 0n, -1]);
    expect(Buffer.concat(hit.records).readBigInt64BE(0)).to.equal(0n);
    expect(hit.abortedTransactions).to.deep.equal([]);
    expect([outOfRange.errorCode, outOfRange.highWatermark, outOfRange.records.length]).to.deep.equal([1, 4n, 0]);
  });

  it('answers the chunks the log read as they are (never joined into a copy), holding every stored batch', async () => {
    const produce = produceHandler(t.services);
    await produce.handle(produceRequest(1, [{ name: 'p', partitionData: [{ index: 0, records: testBatch(2) }] }]), ctx(0, 7));
    await produce.handle(produceRequest(1, [{ name: 'p', partitionData: [{ index: 0, records: testBatch(3) }] }]), ctx(0, 7));
    const res = await fetchHandler(t.services).handle({
      maxWaitMs: 0, minBytes: 1, maxBytes: 1 << 20, topics: [{ topic: 'p', partitions: [{ partition: 0, fetchOffset: 0n, partitionMaxBytes: 1 << 20 }] }],
    }, ctx(1, 11));
    const records: Buffer[] = res.responses[0].partitions[0].records;
    expect(Array.isArray(records)).to.equal(true);
    // The handler tests' batch format: base offset at 0, record count at 8, 30 bytes a batch.
    const joined = Buffer.concat(records);
    expect([joined.readBigInt64BE(0), joined.readInt32BE(8), joined.readBigInt64BE(30), joined.readInt32BE(38), joined.length]).to.deep.equal([0n, 2, 2n, 3, 60]);
  });

  it('resolves topics by id from Fetch v13 on', async () => {
    const { topicId } = t.services.topics.get('p')!;
    const res = await fetchHandler(t.services).handle({
      maxWaitMs: 0, minBytes: 1, maxBytes: 1000,
      topics: [{ topicId, partitions: [{ partition: 0, fetchOffset: 0n, partitionMaxBytes: 100 }] },
        { topicId: '00000000-0000-0000-0000-0000000000aa', partitions: [{ partition: 0, fetchOffset: 0n, partitionMaxBytes: 100 }] }],
    }, ctx(1, 13));
    expect(res.responses.map((r: { partitions: Array<{ errorCode: number }> }) => r.partitions[0].errorCode)).to.deep.equal([0, 100]);
  });

  it('lists the earliest, latest and by-timestamp offsets', async () => {
    const produce = produceHandler(t.services);
    await produce.handle(produceRequest(1, [{ name: 'p', partitionData: [{ index: 0, records: testBatch(2, 100n) }] }]), ctx(0, 7));
    await produce.handle(produceRequest(1, [{ name: 'p', partitionData: [{ index: 0, records: testBatch(3, 200n) }] }]), ctx(0, 7));
    const res = await listOffsetsHandler(t.services).handle({
      topics: [{ name: 'p', partitions: [-1n, -2n, 150n, 999n].map((timestamp) => ({ partitionIndex: 0, timestamp })) }],
    }, ctx(2, 3));
    expect(res.topics[0].partitions.map((p: { offset: bigint }) => p.offset)).to.deep.equal([5n, 0n, 2n, -1n]);
  });
});

import { expect } from 'chai';
import { isDomainError } from '../../../src/broker/errors';
import type { BatchHeader } from '../../../src/broker/partitions/batch-inspector';
import { lastSequenceOf, PartitionProducers } from '../../../src/broker/producers/partition-producers';
import { header } from './headers';


function appendAt(state: PartitionProducers, h: BatchHeader, baseOffset: bigint, nowMs = 0): void {
  expect(state.check(h, nowMs)).to.deep.equal({ kind: 'append' });
  state.appended(h, baseOffset);
}

function rejects(fn: () => unknown, kind: string): void {
  let caught: unknown;
  try { fn(); } catch (err) { caught = err; }
  expect(isDomainError(caught), `expected a DomainError ${kind}`).to.equal(true);
  expect((caught as { kind: string }).kind).to.equal(kind);
}

describe('Idempotent producer state of a partition', () => {
  it('appends batches without a producer id without any check', () => {
    const state = new PartitionProducers();
    expect(state.check(header(-1n, -1, -1), 0)).to.deep.equal({ kind: 'append' });
    expect(state.size).to.equal(0);
  });

  it('answers a retried batch as a duplicate with its original base offset', () => {
    const state = new PartitionProducers();
    appendAt(state, header(7n, 0, 0, 3), 100n);
    appendAt(state, header(7n, 0, 3, 2), 103n);
    expect(state.check(header(7n, 0, 0, 3), 0)).to.deep.equal({ kind: 'duplicate', baseOffset: 100n });
    expect(state.check(header(7n, 0, 3, 2), 0)).to.deep.equal({ kind: 'duplicate', baseOffset: 103n });
  });

  it('remembers only the last five batches of a producer', () => {
    const state = new PartitionProducers();
    for (let i = 0; i < 6; i++) appendAt(state, header(1n, 0, i), BigInt(i));
    rejects(() => state.check(header(1n, 0, 0), 0), 'out-of-order-sequence');
    expect(state.check(header(1n, 0, 1), 0)).to.deep.equal({ kind: 'duplicate', baseOffset: 1n });
  });

  it('refuses a gap or a repeat that is not a cached batch with OUT_OF_ORDER_SEQUENCE_NUMBER', () => {
    const state = new PartitionProducers();
    appendAt(state, header(1n, 0, 0, 5), 0n);
    rejects(() => state.check(header(1n, 0, 6), 0), 'out-of-order-sequence');
    rejects(() => state.check(header(1n, 0, 2, 3), 0), 'out-of-order-sequence');
    appendAt(state, header(1n, 0, 5), 5n);
  });

  it('refuses an unknown producer whose first batch does not start at sequence 0 with UNKNOWN_PRODUCER_ID', () => {
    rejects(() => new PartitionProducers().check(header(3n, 0, 17), 0), 'unknown-producer-id');
  });

  it('fences an older epoch with INVALID_PRODUCER_EPOCH and accepts a client-bumped epoch only at sequence 0', () => {
    const state = new PartitionProducers();
    appendAt(state, header(1n, 2, 0), 0n);
    rejects(() => state.check(header(1n, 1, 1), 0), 'invalid-producer-epoch');
    rejects(() => state.check(header(1n, 3, 1), 0), 'out-of-order-sequence');
    appendAt(state, header(1n, 3, 0), 1n);
    rejects(() => state.check(header(1n, 2, 1), 0), 'invalid-producer-epoch');
  });

  it('keeps in-flight batches in sequence (librdkafka has up to five in flight) and forgets a failed one', () => {
    const state = new PartitionProducers();
    expect(state.check(header(1n, 0, 0), 0).kind).to.equal('append');
    expect(state.check(header(1n, 0, 1), 0).kind).to.equal('append');
    rejects(() => state.check(header(1n, 0, 0), 0), 'storage-error');
    state.failed(header(1n, 0, 1));
    state.appended(header(1n, 0, 0), 0n);
    expect(state.check(header(1n, 0, 1), 0).kind).to.equal('append');
  });

  it('wraps sequence numbers from int32 max to 0', () => {
    const state = new PartitionProducers();
    state.replay(header(1n, 0, 2_147_483_645, 3), 0n, 0);
    expect(lastSequenceOf(header(1n, 0, 2_147_483_645, 3))).to.equal(2_147_483_647);
    appendAt(state, header(1n, 0, 0), 3n);
  });

  it('forgets producers idle longer than the expiration and the least recently used past the limit', () => {
    const state = new PartitionProducers({ batchesPerProducerMax: 5, producersPerPartitionMax: 2, producerIdExpirationMs: 1000 });
    appendAt(state, header(1n, 0, 0), 0n, 0);
    appendAt(state, header(2n, 0, 0), 1n, 10);
    appendAt(state, header(3n, 0, 0), 2n, 20);
    expect(state.size).to.equal(2);
    rejects(() => state.check(header(1n, 0, 1), 30), 'unknown-producer-id');
    appendAt(state, header(4n, 0, 0), 3n, 2000);
    expect(state.size).to.equal(1);
  });
});

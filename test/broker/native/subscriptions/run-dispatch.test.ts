import { expect } from 'chai';
import type { StoredRun } from '../../../../src/broker/native/subscriptions/types';
import { encodeMessageBatch } from '../../../../src/protocol/native/message-batch';
import { FakeClock, makeSubscription, RecordingConsumer } from './fixtures';

/** A stored batch of `count` messages m<offset> at `base`, read as one undecoded run. */
function run(base: number, count: number): StoredRun {
  const batch = encodeMessageBatch(Array.from({ length: count }, (_, i) => ({
    key: Buffer.from(`k${base + i}`), timestampMs: 1000n, headers: [], payload: Buffer.from(`m${base + i}`),
  })));
  batch.writeBigInt64BE(BigInt(base), 0);
  return { partition: 0, batch, first: BigInt(base), last: BigInt(base + count - 1) };
}

/** Records the ranges it gets whole (pushRun) besides single messages (push). */
class RunConsumer extends RecordingConsumer {
  readonly ranges: Array<[bigint, bigint]> = [];
  pushRun(stored: StoredRun): void {
    this.ranges.push([stored.first, stored.last]);
  }
}

describe('Subscription dispatch of undecoded runs (Exclusive, Failover)', () => {
  let clock: FakeClock;
  beforeEach(() => {
    clock = new FakeClock();
  });

  it('hands a run to the Exclusive consumer in ranges as its permits allow', () => {
    const { subscription } = makeSubscription('exclusive', clock);
    const a = new RunConsumer('a');
    subscription.addConsumer(a, 'exclusive');
    subscription.flow('a', 4);
    subscription.offer(0, [run(0, 10)], 10n);
    expect(a.ranges).to.deep.equal([[0n, 3n]]);
    expect(subscription.wanted()).to.equal(0);
    subscription.flow('a', 100);
    expect(a.ranges).to.deep.equal([[0n, 3n], [4n, 9n]]);
    expect(subscription.unackedOf('a')).to.equal(10);
    expect(a.received).to.deep.equal([]);
  });

  it('stops at the consumer unacked limit and goes on as acks come', () => {
    const { subscription } = makeSubscription('exclusive', clock, { consumerUnackedMessagesMax: 5 });
    const a = new RunConsumer('a');
    subscription.addConsumer(a, 'exclusive');
    subscription.flow('a', 100);
    subscription.offer(0, [run(0, 10)], 10n);
    expect(a.ranges).to.deep.equal([[0n, 4n]]);
    subscription.ack([{ partition: 0, offset: 1n }]);
    expect(a.ranges).to.deep.equal([[0n, 4n], [5n, 5n]]);
    subscription.ackCumulative({ partition: 0, offset: 4n });
    expect(a.ranges).to.deep.equal([[0n, 4n], [5n, 5n], [6n, 9n]]);
    expect(subscription.unackedOf('a')).to.equal(5);
  });

  it('leaves out offsets the cursor already acked, such as acked ranges loaded after a restart', () => {
    const { subscription, cursor } = makeSubscription('exclusive', clock);
    cursor.ack(3n);
    cursor.ack(4n);
    cursor.ack(9n);
    const a = new RunConsumer('a');
    subscription.addConsumer(a, 'exclusive');
    subscription.flow('a', 100);
    subscription.offer(0, [run(0, 10)], 10n);
    expect(a.ranges).to.deep.equal([[0n, 2n], [5n, 8n]]);
    expect(subscription.unackedOf('a')).to.equal(7);
  });

  it('settles runs by individual and cumulative acks: the cursor moves and the unacked count follows', () => {
    const { subscription, cursor, changed } = makeSubscription('exclusive', clock);
    const a = new RunConsumer('a');
    subscription.addConsumer(a, 'exclusive');
    subscription.flow('a', 100);
    subscription.offer(0, [run(0, 5), run(5, 5)], 10n);
    subscription.ack([{ partition: 0, offset: 7n }, { partition: 0, offset: 7n }]);
    expect(subscription.unackedOf('a')).to.equal(9);
    subscription.ackCumulative({ partition: 0, offset: 6n });
    expect(cursor.markDelete()).to.equal(8n);
    expect(subscription.unackedOf('a')).to.equal(2);
    subscription.ack([{ partition: 0, offset: 8n }, { partition: 0, offset: 9n }]);
    expect(cursor.markDelete()).to.equal(10n);
    expect(subscription.unackedOf('a')).to.equal(0);
    expect(changed.length).to.be.greaterThan(0);
    clock.now += 10_000;
    subscription.tick();
    expect(a.received).to.deep.equal([]);
  });

  it('redelivers a nacked offset of a run alone after its backoff; the rest of the run times out later without the acked ones', () => {
    const { subscription } = makeSubscription('exclusive', clock);
    const a = new RunConsumer('a');
    subscription.addConsumer(a, 'exclusive');
    subscription.flow('a', 100);
    subscription.offer(0, [run(0, 10)], 10n);
    subscription.ackCumulative({ partition: 0, offset: 1n });
    subscription.nack([{ partition: 0, offset: 3n }]);
    expect(subscription.unackedOf('a')).to.equal(7);
    clock.now += 100;
    subscription.tick();
    expect(a.received).to.deep.equal([{ offset: 3n, key: 'k3', redeliveryCount: 1 }]);
    subscription.ack([{ partition: 0, offset: 5n }]);
    clock.now += 900;
    subscription.tick();
    expect(a.received.slice(1).map((r) => [r.offset, r.redeliveryCount])).to.deep.equal([
      [2n, 1], [4n, 1], [6n, 1], [7n, 1], [8n, 1], [9n, 1],
    ]);
    expect(subscription.redeliveries()).to.equal(7);
  });

  it('gives the promoted Failover consumer every unacked offset of the old active one, in order, as redeliveries', () => {
    const { subscription } = makeSubscription('failover', clock);
    const first = new RunConsumer('first', 'first', 0);
    const second = new RunConsumer('second', 'second', 1);
    subscription.addConsumer(first, 'failover');
    subscription.addConsumer(second, 'failover');
    subscription.flow('first', 100);
    subscription.flow('second', 100);
    subscription.offer(0, [run(0, 4), run(4, 4)], 8n);
    expect(first.ranges).to.deep.equal([[0n, 3n], [4n, 7n]]);
    subscription.ackCumulative({ partition: 0, offset: 1n });
    subscription.ack([{ partition: 0, offset: 5n }]);
    subscription.removeConsumer('first');
    expect(second.received).to.deep.equal([2, 3, 4, 6, 7].map((o) => ({ offset: BigInt(o), key: `k${o}`, redeliveryCount: 1 })));
    subscription.offer(0, [run(8, 2)], 10n);
    expect(second.ranges).to.deep.equal([[8n, 9n]]);
  });

  it('turns buffered runs into single messages when the subscription becomes Shared', () => {
    const { subscription } = makeSubscription('exclusive', clock);
    subscription.addConsumer(new RunConsumer('x'), 'exclusive');
    subscription.offer(0, [run(0, 6)], 6n);
    subscription.removeConsumer('x');
    const a = new RunConsumer('a');
    const b = new RunConsumer('b');
    subscription.addConsumer(a, 'shared');
    subscription.addConsumer(b, 'shared');
    subscription.flow('a', 3);
    subscription.flow('b', 3);
    expect(a.ranges.length + b.ranges.length).to.equal(0);
    expect([...a.offsets(), ...b.offsets()].sort()).to.deep.equal([0n, 1n, 2n, 3n, 4n, 5n]);
    subscription.offer(0, [run(6, 2)], 8n);
    subscription.flow('a', 10);
    expect(a.offsets().slice(-2)).to.deep.equal([6n, 7n]);
  });

  it('decodes a run for a consumer that cannot take runs whole', () => {
    const { subscription } = makeSubscription('exclusive', clock);
    const a = new RecordingConsumer('a');
    subscription.addConsumer(a, 'exclusive');
    subscription.flow('a', 3);
    subscription.offer(0, [run(10, 5)], 15n);
    expect(a.received).to.deep.equal([10, 11, 12].map((o) => ({ offset: BigInt(o), key: `k${o}`, redeliveryCount: 0 })));
  });
});

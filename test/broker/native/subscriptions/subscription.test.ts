import { expect } from 'chai';
import { NativeError } from '../../../../src/broker/native/native-error';
import type { StoredMessage } from '../../../../src/broker/native/subscriptions/types';
import { FakeClock, makeSubscription, messages, RecordingConsumer } from './fixtures';

describe('Subscription dispatch', () => {
  let clock: FakeClock;
  beforeEach(() => {
    clock = new FakeClock();
  });

  describe('Exclusive', () => {
    it('refuses a second consumer with a clear consumerBusy error', () => {
      const { subscription } = makeSubscription('exclusive', clock);
      subscription.addConsumer(new RecordingConsumer('a'), 'exclusive');
      expect(() => subscription.addConsumer(new RecordingConsumer('b'), 'exclusive'))
        .to.throw(NativeError, /already has consumer a/).with.property('code', 'consumerBusy');
    });

    it('delivers in order no more messages than the consumer has permits', () => {
      const { subscription } = makeSubscription('exclusive', clock);
      const a = new RecordingConsumer('a');
      subscription.addConsumer(a, 'exclusive');
      subscription.flow('a', 3);
      subscription.offer(0, messages(0, 5), 5n);
      expect(a.offsets()).to.deep.equal([0n, 1n, 2n]);
      subscription.flow('a', 10);
      expect(a.offsets()).to.deep.equal([0n, 1n, 2n, 3n, 4n]);
    });

    it('moves the cursor on a cumulative ack', () => {
      const { subscription, cursor, changed } = makeSubscription('exclusive', clock);
      subscription.addConsumer(new RecordingConsumer('a'), 'exclusive');
      subscription.flow('a', 10);
      subscription.offer(0, messages(0, 5), 5n);
      subscription.ackCumulative({ partition: 0, offset: 3n });
      expect(cursor.markDelete()).to.equal(4n);
      expect(subscription.unackedOf('a')).to.equal(1);
      expect(changed).to.deep.equal([0]);
    });

    it('refuses acks of messages not delivered yet, so a bad ack cannot skip unseen messages', () => {
      const { subscription, cursor } = makeSubscription('exclusive', clock);
      subscription.addConsumer(new RecordingConsumer('a'), 'exclusive');
      subscription.flow('a', 10);
      subscription.offer(0, messages(0, 3), 3n);
      expect(() => subscription.ack([{ partition: 0, offset: 5n }])).to.throw(NativeError, /not delivered yet/);
      expect(() => subscription.ackCumulative({ partition: 0, offset: 3n })).to.throw(NativeError, /not delivered yet/);
      expect(cursor.markDelete()).to.equal(0n);
    });

    it('refuses to join with another type while consumers are attached', () => {
      const { subscription } = makeSubscription('exclusive', clock);
      subscription.addConsumer(new RecordingConsumer('a'), 'exclusive');
      expect(() => subscription.addConsumer(new RecordingConsumer('b'), 'shared')).to.throw(NativeError, /is exclusive, not shared/);
    });
  });

  describe('Shared', () => {
    it('spreads messages over consumers by their permits', () => {
      const { subscription } = makeSubscription('shared', clock);
      const a = new RecordingConsumer('a');
      const b = new RecordingConsumer('b');
      subscription.addConsumer(a, 'shared');
      subscription.addConsumer(b, 'shared');
      subscription.flow('a', 2);
      subscription.flow('b', 10);
      subscription.offer(0, messages(0, 8), 8n);
      expect(a.received).to.have.length(2);
      expect(b.received).to.have.length(6);
      expect([...a.offsets(), ...b.offsets()].sort()).to.deep.equal(messages(0, 8).map((m) => m.offset));
    });

    it('refuses cumulative acks', () => {
      const { subscription } = makeSubscription('shared', clock);
      subscription.addConsumer(new RecordingConsumer('a'), 'shared');
      expect(() => subscription.ackCumulative({ partition: 0, offset: 1n })).to.throw(NativeError, /cumulative ack is not allowed/);
    });

    it('redelivers an unacked message after the ack timeout with its redelivery count', () => {
      const { subscription } = makeSubscription('shared', clock);
      const a = new RecordingConsumer('a');
      subscription.addConsumer(a, 'shared');
      subscription.flow('a', 10);
      subscription.offer(0, messages(0, 2), 2n);
      subscription.ack([{ partition: 0, offset: 0n }]);
      clock.now += 999;
      subscription.tick();
      expect(a.received).to.have.length(2);
      clock.now += 1;
      subscription.tick();
      expect(a.received.slice(2)).to.deep.equal([{ offset: 1n, key: null, redeliveryCount: 1 }]);
    });

    it('redelivers a nacked message only after a backoff that doubles', () => {
      const { subscription } = makeSubscription('shared', clock);
      const a = new RecordingConsumer('a');
      subscription.addConsumer(a, 'shared');
      subscription.flow('a', 10);
      subscription.offer(0, messages(0, 1), 1n);
      subscription.nack([{ partition: 0, offset: 0n }]);
      clock.now += 99;
      subscription.tick();
      expect(a.received).to.have.length(1);
      clock.now += 1;
      subscription.tick();
      expect(a.received).to.have.length(2);
      subscription.nack([{ partition: 0, offset: 0n }]);
      clock.now += 199;
      subscription.tick();
      expect(a.received).to.have.length(2);
      clock.now += 1;
      subscription.tick();
      expect(a.received.map((r) => r.redeliveryCount)).to.deep.equal([0, 1, 2]);
    });

    it('gives the unacked messages of a consumer that leaves to the others, none lost', () => {
      const { subscription } = makeSubscription('shared', clock);
      const a = new RecordingConsumer('a');
      const b = new RecordingConsumer('b');
      subscription.addConsumer(a, 'shared');
      subscription.addConsumer(b, 'shared');
      subscription.flow('a', 5);
      subscription.flow('b', 100);
      subscription.offer(0, messages(0, 10), 10n);
      subscription.ack(a.received.slice(0, 2).map((r) => ({ partition: 0, offset: r.offset })));
      subscription.removeConsumer('a');
      const redelivered = b.received.filter((r) => r.redeliveryCount === 1).map((r) => r.offset);
      expect(redelivered).to.deep.equal(a.offsets().slice(2));
      subscription.ack(b.received.map((r) => ({ partition: 0, offset: r.offset })));
      expect(subscription.cursor(0)!.markDelete()).to.equal(10n);
    });

    it('sends a message to the dead-letter topic after too many redeliveries and acks it there', async () => {
      const dead: StoredMessage[] = [];
      const { subscription, cursor } = makeSubscription('shared', clock, {
        deadLetter: async (m) => {
          dead.push(m);
        },
      });
      const a = new RecordingConsumer('a');
      subscription.addConsumer(a, 'shared');
      subscription.flow('a', 100);
      subscription.offer(0, messages(0, 1), 1n);
      for (let i = 0; i < 4; i++) {
        clock.now += 1000;
        subscription.tick();
      }
      await new Promise((r) => setImmediate(r));
      expect(a.received.map((r) => r.redeliveryCount)).to.deep.equal([0, 1, 2, 3]);
      expect(dead.map((m) => m.offset)).to.deep.equal([0n]);
      expect(cursor.markDelete()).to.equal(1n);
    });

    it('asks the reader for no more than the permits and the buffer allow', () => {
      const { subscription } = makeSubscription('shared', clock, { bufferMessagesMax: 50 });
      expect(subscription.wanted()).to.equal(0);
      subscription.addConsumer(new RecordingConsumer('a'), 'shared');
      subscription.flow('a', 500);
      expect(subscription.wanted()).to.equal(50);
    });

    it('caps the permits a consumer may hold', () => {
      const { subscription } = makeSubscription('shared', clock, { consumerPermitsMax: 5 });
      const a = new RecordingConsumer('a');
      subscription.addConsumer(a, 'shared');
      subscription.flow('a', 4);
      subscription.flow('a', 4);
      subscription.offer(0, messages(0, 20), 20n);
      expect(a.received).to.have.length(5);
    });

    it('holds messages back from a consumer whose connection is backpressured until it drains', () => {
      const { subscription } = makeSubscription('shared', clock);
      const a = new RecordingConsumer('a');
      let full = true;
      Object.assign(a, { backpressured: () => full });
      subscription.addConsumer(a, 'shared');
      subscription.flow('a', 10);
      subscription.offer(0, messages(0, 3), 3n);
      expect(a.received).to.have.length(0);
      full = false;
      subscription.redispatch();
      expect(a.received).to.have.length(3);
    });

    it('stops delivering to a consumer at its unacked limit', () => {
      const { subscription } = makeSubscription('shared', clock, { consumerUnackedMessagesMax: 2 });
      const a = new RecordingConsumer('a');
      subscription.addConsumer(a, 'shared');
      subscription.flow('a', 10);
      subscription.offer(0, messages(0, 5), 5n);
      expect(a.received).to.have.length(2);
      subscription.ack([{ partition: 0, offset: 0n }]);
      expect(a.received).to.have.length(3);
    });
  });

  describe('Failover', () => {
    it('makes the consumer with the lowest priority, then name, active and tells every consumer', () => {
      const { subscription } = makeSubscription('failover', clock);
      const b = new RecordingConsumer('b', 'b', 1);
      const c = new RecordingConsumer('c', 'c', 0);
      const a = new RecordingConsumer('a', 'a', 1);
      subscription.addConsumer(b, 'failover');
      subscription.addConsumer(c, 'failover');
      subscription.addConsumer(a, 'failover');
      expect(b.activity).to.deep.equal([true, false]);
      expect(c.activity).to.deep.equal([true]);
      expect(a.activity).to.deep.equal([false]);
      for (const x of [a, b, c]) subscription.flow(x.id, 10);
      subscription.offer(0, messages(0, 3), 3n);
      expect(c.offsets()).to.deep.equal([0n, 1n, 2n]);
      expect(a.received.length + b.received.length).to.equal(0);
    });

    it('promotes the next consumer when the active one leaves and gives it everything not yet acked, in order', () => {
      const { subscription } = makeSubscription('failover', clock);
      const first = new RecordingConsumer('first', 'first', 0);
      const second = new RecordingConsumer('second', 'second', 1);
      subscription.addConsumer(first, 'failover');
      subscription.addConsumer(second, 'failover');
      subscription.flow('first', 10);
      subscription.flow('second', 10);
      subscription.offer(0, messages(0, 6), 6n);
      subscription.ackCumulative({ partition: 0, offset: 1n });
      subscription.ack([{ partition: 0, offset: 3n }]);
      subscription.removeConsumer('first');
      expect(second.activity).to.deep.equal([false, true]);
      expect(second.received).to.deep.equal([
        { offset: 2n, key: null, redeliveryCount: 1 },
        { offset: 4n, key: null, redeliveryCount: 1 },
        { offset: 5n, key: null, redeliveryCount: 1 },
      ]);
    });
  });

  describe('Key_Shared', () => {
    const keyOf = (i: number) => `key-${i % 7}`;

    it('sends each key always to the same consumer while membership is stable', () => {
      const { subscription } = makeSubscription('key_shared', clock);
      const consumers = ['a', 'b', 'c'].map((n) => new RecordingConsumer(n));
      for (const c of consumers) {
        subscription.addConsumer(c, 'key_shared');
        subscription.flow(c.id, 1000);
      }
      subscription.offer(0, messages(0, 200, keyOf), 200n);
      const owner = new Map<string, string>();
      for (const c of consumers) {
        for (const r of c.received) {
          expect(owner.get(r.key!) ?? c.id, `key ${r.key}`).to.equal(c.id);
          owner.set(r.key!, c.id);
        }
      }
      expect(owner.size).to.equal(7);
      expect(new Set(owner.values()).size).to.be.greaterThan(1);
    });

    it('holds back only the keys of a consumer without permits, keeping their order', () => {
      const { subscription } = makeSubscription('key_shared', clock);
      const a = new RecordingConsumer('a');
      const b = new RecordingConsumer('b');
      subscription.addConsumer(a, 'key_shared');
      subscription.addConsumer(b, 'key_shared');
      subscription.flow('a', 1000);
      subscription.offer(0, messages(0, 70, keyOf), 70n);
      const heldBack = 70 - a.received.length;
      expect(a.received.length).to.be.greaterThan(0);
      subscription.flow('b', 1000);
      expect(b.received).to.have.length(heldBack);
      const offsets = b.offsets();
      expect(offsets).to.deep.equal([...offsets].sort((x, y) => (x < y ? -1 : 1)));
    });
  });
});

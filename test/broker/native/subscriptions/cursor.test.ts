import { expect } from 'chai';
import fc from 'fast-check';
import { PartitionCursor } from '../../../../src/broker/native/subscriptions/cursor';

describe('Partition cursor', () => {
  it('advances the mark-delete offset over contiguous individual acks', () => {
    const c = new PartitionCursor(10n);
    c.ack(10n);
    c.ack(11n);
    expect(c.markDelete()).to.equal(12n);
    expect(c.ackedRanges()).to.deep.equal([]);
  });

  it('keeps holes as acked ranges and closes them when the missing offset is acked', () => {
    const c = new PartitionCursor(0n);
    c.ack(2n);
    c.ack(3n);
    c.ack(5n);
    expect(c.markDelete()).to.equal(0n);
    expect(c.ackedRanges()).to.deep.equal([[2n, 4n], [5n, 6n]]);
    expect(c.isAcked(3n)).to.equal(true);
    expect(c.isAcked(4n)).to.equal(false);
    c.ack(4n);
    expect(c.ackedRanges()).to.deep.equal([[2n, 6n]]);
    c.ack(1n);
    c.ack(0n);
    expect(c.markDelete()).to.equal(6n);
    expect(c.ackedRanges()).to.deep.equal([]);
  });

  it('acks everything up to an offset on a cumulative ack and absorbs ranges above it', () => {
    const c = new PartitionCursor(0n);
    c.ack(7n);
    c.ack(8n);
    c.ackUpTo(6n);
    expect(c.markDelete()).to.equal(9n);
    expect(c.ackUpTo(3n)).to.equal(false);
  });

  it('survives a round trip through its persisted state', () => {
    const c = new PartitionCursor(3n);
    c.ack(5n);
    c.ack(9n);
    const copy = PartitionCursor.fromState(JSON.parse(JSON.stringify(c.toState())));
    expect(copy.markDelete()).to.equal(3n);
    expect(copy.ackedRanges()).to.deep.equal(c.ackedRanges());
  });

  it('counts acked offsets inside a window for backlog figures', () => {
    const c = new PartitionCursor(4n);
    c.ack(6n);
    c.ack(7n);
    expect(c.ackedCountBetween(0n, 10n)).to.equal(6n);
  });

  it('agrees with a set of acked offsets whatever the order of acks', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 60 }), { maxLength: 80 }), (offsets) => {
      const c = new PartitionCursor(0n);
      const acked = new Set<number>();
      for (const o of offsets) {
        c.ack(BigInt(o));
        acked.add(o);
      }
      for (let o = 0; o <= 61; o++) expect(c.isAcked(BigInt(o)), `offset ${o}`).to.equal(acked.has(o));
      let md = 0;
      while (acked.has(md)) md++;
      expect(c.markDelete()).to.equal(BigInt(md));
    }));
  });
  it('names the first stretch of unacked offsets within a range, past the mark-delete offset and acked ranges', () => {
    const c = new PartitionCursor(3n);
    c.ack(5n);
    c.ack(6n);
    c.ack(9n);
    expect(c.firstUnackedIn(0n, 20n)).to.deep.equal([3n, 4n]);
    expect(c.firstUnackedIn(5n, 20n)).to.deep.equal([7n, 8n]);
    expect(c.firstUnackedIn(7n, 7n)).to.deep.equal([7n, 7n]);
    expect(c.firstUnackedIn(9n, 9n)).to.equal(null);
    expect(c.firstUnackedIn(10n, 20n)).to.deep.equal([10n, 20n]);
    expect(c.firstUnackedIn(0n, 2n)).to.equal(null);
  });
});

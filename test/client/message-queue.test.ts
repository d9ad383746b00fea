import { expect } from 'chai';
import fc from 'fast-check';
import { MessageQueue } from '../../src/client/message-queue';

describe('Client MessageQueue', () => {
  it('gives items back first in, first out, across its compactions, with the same length as an array would have', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 3000 }), { maxLength: 30 }), (steps) => {
        const queue = new MessageQueue<number>();
        const reference: number[] = [];
        let next = 0;
        steps.forEach((n, i) => {
          // Even steps push n items, odd steps take n.
          for (let k = 0; k < n; k++) {
            if (i % 2 === 0) {
              queue.push(next);
              reference.push(next++);
            } else {
              expect(queue.shift()).to.equal(reference.shift());
            }
          }
          expect(queue.length).to.equal(reference.length);
        });
      }),
      { numRuns: 50 },
    );
  });

  it('is empty after clear and gives undefined when empty', () => {
    const queue = new MessageQueue<string>();
    queue.push('a');
    queue.clear();
    expect(queue.length).to.equal(0);
    expect(queue.shift()).to.equal(undefined);
    queue.push('b');
    expect(queue.shift()).to.equal('b');
  });
});

import { expect } from 'chai';
import { coordinatorFor } from '../../../src/broker/groups/coordinator-locator';

const node = (nodeId: number) => ({ nodeId, host: '127.0.0.1', port: 9000 + nodeId });

describe('Coordinator placement', () => {
  it('is this broker when it is the only one, and nobody when no broker is live', () => {
    expect(coordinatorFor('any-group', [node(4)])).to.deep.equal(node(4));
    expect(coordinatorFor('any-group', [])).to.equal(null);
  });

  it('hashes a group id over brokers in node-id order, whatever order the list comes in', () => {
    const brokers = [node(3), node(1), node(2)];
    const placed = new Map<number, number>();
    for (let i = 0; i < 300; i++) {
      const chosen = coordinatorFor(`group-${i}`, brokers);
      expect(chosen).to.deep.equal(coordinatorFor(`group-${i}`, [...brokers].reverse()));
      placed.set(chosen?.nodeId ?? -1, (placed.get(chosen?.nodeId ?? -1) ?? 0) + 1);
    }
    expect([...placed.keys()].sort()).to.deep.equal([1, 2, 3]);
    // Java "a".hashCode() = 97; 97 % 3 = 1 -> the second broker by node id.
    expect(coordinatorFor('a', brokers)?.nodeId).to.equal(2);
  });
});

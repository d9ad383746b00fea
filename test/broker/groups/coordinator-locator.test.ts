import { expect } from 'chai';
import { coordinatorFor } from '../../../src/broker/groups/coordinator-locator';

const node = (nodeId: number) => ({ nodeId, host: '127.0.0.1', port: 9000 + nodeId });
const GROUPS = Array.from({ length: 3000 }, (_, i) => `group-${i}`);

function placement(brokers: ReturnType<typeof node>[]): Map<string, number> {
  return new Map(GROUPS.map((g) => [g, coordinatorFor(g, brokers)!.nodeId]));
}

describe('Coordinator placement (rendezvous hashing)', () => {
  it('is this broker when it is the only one, and nobody when no broker is live', () => {
    expect(coordinatorFor('any-group', [node(4)])).to.deep.equal(node(4));
    expect(coordinatorFor('any-group', [])).to.equal(null);
  });

  it('gives the same coordinator whatever order the broker list comes in', () => {
    const brokers = [node(3), node(1), node(2)];
    for (const g of GROUPS.slice(0, 300)) {
      expect(coordinatorFor(g, brokers)).to.deep.equal(coordinatorFor(g, [...brokers].reverse()));
    }
  });

  it('spreads groups evenly over the brokers', () => {
    const counts = new Map<number, number>();
    for (const id of placement([node(1), node(2), node(3), node(4)]).values()) counts.set(id, (counts.get(id) ?? 0) + 1);
    expect([...counts.keys()].sort()).to.deep.equal([1, 2, 3, 4]);
    for (const count of counts.values()) expect(count).to.be.within(600, 900);
  });

  it('moves only the groups of a broker that left', () => {
    const before = placement([node(1), node(2), node(3), node(4)]);
    const after = placement([node(1), node(2), node(4)]);
    for (const g of GROUPS) {
      if (before.get(g) !== 3) expect(after.get(g), g).to.equal(before.get(g));
      else expect(after.get(g), g).to.be.oneOf([1, 2, 4]);
    }
  });

  it('moves to a broker that joined only the groups it now wins, about its fair share', () => {
    const before = placement([node(1), node(2), node(3)]);
    const after = placement([node(1), node(2), node(3), node(7)]);
    const moved = GROUPS.filter((g) => after.get(g) !== before.get(g));
    for (const g of moved) expect(after.get(g), g).to.equal(7);
    expect(moved.length).to.be.within(GROUPS.length / 4 - 150, GROUPS.length / 4 + 150);
  });
});

import { expect } from 'chai';
import type { StoredAssignment } from '../../src/coordination/assignment';
import { clusterKeys } from '../../src/coordination/keys';
import { decodePin, pinHolds, pinKey, pinOp, type StoredPin } from '../../src/coordination/partition-pin';

const keys = clusterKeys('/pins-test/');

function pinAt(brokerId: number, leaderEpoch: number, modRevision: bigint): StoredPin {
  const op = pinOp(keys, 'orders', 3, brokerId, leaderEpoch);
  if (op.type !== 'put') throw new Error('pinOp puts');
  return decodePin(keys, { key: op.key, value: op.value, modRevision, createRevision: modRevision })!;
}

function assignment(brokerId: number, leaderEpoch: number, modRevision: bigint): StoredAssignment {
  return { topic: 'orders', partition: 3, brokerId, leaderEpoch, modRevision };
}

describe('Partition pins', () => {
  it('decode back to the partition, broker and epoch they were written with', () => {
    expect(pinAt(2, 5, 40n)).to.deep.equal({ topic: 'orders', partition: 3, brokerId: 2, leaderEpoch: 5, key: pinKey(keys, 'orders', 3), modRevision: 40n });
    expect(decodePin(keys, { key: '/pins-test/assignments/orders/3', value: '{}', modRevision: 1n, createRevision: 1n })).to.equal(null);
  });

  it('hold only while the assignment is the one written with them, in the same transaction', () => {
    const pin = pinAt(2, 5, 40n);
    expect(pinHolds(pin, assignment(2, 5, 40n))).to.equal(true);
    expect(pinHolds(pin, assignment(3, 6, 52n)), 'moved on').to.equal(false);
    expect(pinHolds(pin, undefined), 'partition gone').to.equal(false);
  });

  it('do not hold for a topic created again whose partition reaches the same broker and epoch', () => {
    expect(pinHolds(pinAt(2, 1, 40n), assignment(2, 1, 77n))).to.equal(false);
  });
});

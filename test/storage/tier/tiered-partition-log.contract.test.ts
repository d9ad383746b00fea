/**
 * The tiered log against the one PartitionLog contract. Two ways: durability cloud (every
 * append waits for its object), and durability local with every sealed segment moved to
 * object storage after each append, so reads cross from objects to the WAL.
 */
import { describePartitionLogContract } from '../partition-log.contract';
import { WalTestHarness } from '../wal/wal-harness';
import { openTiered } from './tiered-harness';

describe('tiered partition log', () => {
  describePartitionLogContract('tiered, durability cloud', () => {
    const harness = new WalTestHarness();
    return { open: (dir) => openTiered(harness, dir, 'cloud', false), teardown: () => harness.close() };
  });
  describePartitionLogContract('tiered, durability local, every sealed segment moved to objects', () => {
    const harness = new WalTestHarness();
    return { open: (dir) => openTiered(harness, dir, 'local', true), teardown: () => harness.close() };
  });
});

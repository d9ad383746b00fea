import { describePartitionLogContract } from '../partition-log.contract';
import { openTestWal, WalTestHarness } from './wal-harness';

describe('WAL partition log', () => {
  for (const fsyncPolicy of ['always', 'interval', 'never'] as const) {
    describePartitionLogContract(`WAL, fsync ${fsyncPolicy}`, () => {
      const harness = new WalTestHarness();
      return { open: (dir) => openTestWal(harness, dir, { fsyncPolicy }), teardown: () => harness.close() };
    });
  }
  describePartitionLogContract('WAL, fsync always, preallocated segments', () => {
    const harness = new WalTestHarness();
    return { open: (dir) => openTestWal(harness, dir, { preallocate: true }), teardown: () => harness.close() };
  });
  describePartitionLogContract('WAL, tiny preallocated segments', () => {
    const harness = new WalTestHarness();
    return { open: (dir) => openTestWal(harness, dir, { segmentBytes: 100, preallocate: true, fsyncPolicy: 'interval' }), teardown: () => harness.close() };
  });
  describePartitionLogContract('WAL, tiny segments and no tail cache', () => {
    const harness = new WalTestHarness({ tailCacheBytes: 0 });
    return { open: (dir) => openTestWal(harness, dir, { segmentBytes: 100 }), teardown: () => harness.close() };
  });
});

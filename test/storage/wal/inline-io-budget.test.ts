import { expect } from 'chai';
import { STORAGE_LIMITS } from '../../../src/limits';
import { InlineIoBudget } from '../../../src/storage/wal/inline-io-budget';

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('WAL inline I/O budget', () => {
  let budget: InlineIoBudget;
  beforeEach(async () => {
    budget = new InlineIoBudget();
    await nextTurn();
  });

  it('lets writes up to inlineWriteBytesMax inline until the turn has written inlineWriteTurnBytesMax, then again in the next turn', async () => {
    expect(budget.takeWrite(STORAGE_LIMITS.inlineWriteBytesMax + 1), 'one write too large').to.equal(false);
    const perTurn = Math.floor(STORAGE_LIMITS.inlineWriteTurnBytesMax / STORAGE_LIMITS.inlineWriteBytesMax);
    for (let i = 0; i < perTurn; i++) expect(budget.takeWrite(STORAGE_LIMITS.inlineWriteBytesMax), `write ${i}`).to.equal(true);
    expect(budget.takeWrite(1), 'past the turn budget').to.equal(false);
    await nextTurn();
    expect(budget.takeWrite(1), 'in the next turn').to.equal(true);
  });

  it('lets an fdatasync of at most inlineSyncDirtyBytesMax inline until the turn has spent inlineSyncTurnMsMax in them', async () => {
    expect(budget.takeSync(STORAGE_LIMITS.inlineSyncDirtyBytesMax + 1), 'too much written since the last').to.equal(false);
    expect(budget.takeSync(STORAGE_LIMITS.inlineSyncDirtyBytesMax)).to.equal(true);
    // Each half the turn's budget, both together all of it (and each far under inlineSyncSlowMeanMs).
    budget.syncTook(STORAGE_LIMITS.inlineSyncTurnMsMax / 2);
    expect(budget.takeSync(0), 'half the turn budget spent').to.equal(true);
    budget.syncTook(STORAGE_LIMITS.inlineSyncTurnMsMax / 2);
    expect(budget.takeSync(0), 'the turn budget spent').to.equal(false);
    await nextTurn();
    expect(budget.takeSync(0), 'in the next turn').to.equal(true);
  });

  it('keeps fdatasyncs inline through a single slow one, and sends them all to the pool for inlineSyncBackoffMs once their mean passes inlineSyncSlowMeanMs', async function () {
    this.timeout(STORAGE_LIMITS.inlineSyncBackoffMs + 5_000);
    const quickMs = STORAGE_LIMITS.inlineSyncSlowMeanMs / 8;
    for (let i = 0; i < 20; i++) budget.syncTook(quickMs);
    budget.syncTook(STORAGE_LIMITS.inlineSyncSlowMeanMs * 6);
    await nextTurn();
    expect(budget.takeSync(0), 'after one outlier').to.equal(true);
    expect(budget.backingOff()).to.equal(false);
    let slowSyncs = 0;
    while (!budget.backingOff() && slowSyncs < 100) {
      budget.syncTook(STORAGE_LIMITS.inlineSyncSlowMeanMs * 1.5);
      slowSyncs++;
    }
    expect(slowSyncs, 'steady slow fdatasyncs before the back-off').to.be.within(2, 40);
    const slowAtMs = performance.now();
    await nextTurn();
    expect(budget.takeSync(0), 'next turn, disk slow').to.equal(false);
    expect(budget.takeWrite(1), 'writes are not held back').to.equal(true);
    await new Promise((resolve) => setTimeout(resolve, STORAGE_LIMITS.inlineSyncBackoffMs / 2));
    expect(budget.takeSync(0), 'half the back-off later').to.equal(false);
    await new Promise((resolve) => setTimeout(resolve, STORAGE_LIMITS.inlineSyncBackoffMs - (performance.now() - slowAtMs) + 20));
    expect(budget.takeSync(0), 'after the back-off').to.equal(true);
    expect(budget.backingOff()).to.equal(false);
  });
});

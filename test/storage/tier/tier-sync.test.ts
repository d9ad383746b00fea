import { expect } from 'chai';
import { ObjectTier } from '../../../src/storage/tier/object-tier';
import { saveCut } from '../../../src/storage/tier/tier-state';
import { fakeBatch, fakeFormat, FakeLocalLog } from './fake-local-log';
import { openHarness, source, TierHarness } from './tier-harness';
import { eventually } from '../../coordination/helpers';

describe('tier index kept in step with the metadata store', () => {
  let h: TierHarness;
  let tier: ObjectTier | null = null;
  beforeEach(async () => { h = await openHarness(); });
  afterEach(async () => {
    await tier?.close();
    await h.close();
  });

  it('sees what another broker uploads and cuts after it opened, so a partition moving here continues where that left off', async () => {
    tier = await ObjectTier.open({
      objects: h.objects, metadata: h.metadata, keys: h.keys, brokerId: 2, format: fakeFormat, uploadIntervalMs: 3_600_000,
      policyOf: async () => ({ retentionMs: -1, retentionBytes: -1 }),
    });
    const log = new FakeLocalLog();
    for (let i = 0; i < 5; i++) await log.append(fakeBatch(2, 0n));
    await h.uploader.cycle([source('moving', 0, log)]);
    await eventually(() => tier!.index.endOffset('moving', 0) === 10n, 5000, 'the other broker\'s upload is seen');
    expect(tier.initialOffset('moving', 0)).to.equal(10n);
    await saveCut(h.metadata, h.keys, 'moving', 0, 4n);
    await eventually(() => tier!.index.endOffset('moving', 0) === 4n, 5000, 'the other broker\'s truncation is seen');
  });

  it('catches up on demand with what its watches have not delivered yet (a partition opening here after a move)', async () => {
    // A watch that lags: it delivers nothing, as when the assignment's watch is ahead of the descriptors'.
    const lagging = Object.assign(Object.create(h.metadata) as typeof h.metadata, {
      watch: async () => ({ cancel: async () => undefined }),
    });
    tier = await ObjectTier.open({
      objects: h.objects, metadata: lagging, keys: h.keys, brokerId: 2, format: fakeFormat, uploadIntervalMs: 3_600_000,
      policyOf: async () => ({ retentionMs: -1, retentionBytes: -1 }),
    });
    const log = new FakeLocalLog();
    for (let i = 0; i < 3; i++) await log.append(fakeBatch(2, 0n));
    await h.uploader.cycle([source('moving', 0, log)]);
    await saveCut(h.metadata, h.keys, 'moving', 0, 4n);
    expect(tier.initialOffset('moving', 0)).to.equal(0n);
    await Promise.all([tier.catchUp(), tier.catchUp()]);
    expect(tier.initialOffset('moving', 0)).to.equal(4n);
  });
});

import { expect } from 'chai';
import { isStorageError } from '../../../src/storage/errors';
import { UploadLoop } from '../../../src/storage/tier/upload-loop';
import { fakeBatch, FakeLocalLog } from './fake-local-log';
import { openHarness, source, TierHarness } from './tier-harness';

describe('upload loop', () => {
  let h: TierHarness;
  let loop: UploadLoop | null = null;
  beforeEach(async () => { h = await openHarness(); });
  afterEach(async () => {
    await loop?.stop();
    await h.close();
  });

  it('groups waiting appends of many partitions into one object per commit', async () => {
    const logs = Array.from({ length: 20 }, () => new FakeLocalLog());
    loop = new UploadLoop({
      name: 'test', uploader: h.uploader, index: h.index, intervalMs: 20, onDemand: true,
      sources: () => logs.map((log, p) => source('t', p, log)),
    });
    const waits = await Promise.all(logs.map(async (log, p) => {
      const { nextOffset } = await log.append(fakeBatch(1, 0n));
      return loop!.waitForUpload('t', p, nextOffset, 70);
    }));
    expect(waits).to.have.length(20);
    expect(h.objects.puts).to.equal(1);
  });

  it('retries failed uploads with backoff, counts them, never throws, and acknowledges only after the object is recorded', async () => {
    const log = new FakeLocalLog();
    loop = new UploadLoop({ name: 'test', uploader: h.uploader, index: h.index, intervalMs: 5, onDemand: true, sources: () => [source('t', 0, log)] });
    h.objects.failPuts = true;
    const { nextOffset } = await log.append(fakeBatch(1, 0n));
    let acked = false;
    const wait = loop.waitForUpload('t', 0, nextOffset, 70).then(() => { acked = true; });
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(acked).to.equal(false);
    expect(loop.stats.failures).to.be.at.least(2);
    expect(loop.stats.lastError).to.match(/injected put failure/);
    h.objects.failPuts = false;
    await wait;
    expect(h.index.endOffset('t', 0)).to.equal(nextOffset);
    expect(loop.stats.consecutiveFailures).to.equal(0);
  });

  it('refuses waits past the pending-bytes limit and fails waiters when stopped', async () => {
    const log = new FakeLocalLog();
    loop = new UploadLoop({ name: 'test', uploader: h.uploader, index: h.index, intervalMs: 60_000, onDemand: true, sources: () => [source('t', 0, log)], pendingBytesMax: 100 });
    const first = loop.waitForUpload('t', 0, 1n, 80).catch((e: unknown) => e);
    const second = await loop.waitForUpload('t', 0, 2n, 80).catch((e: unknown) => e);
    expect(isStorageError(second, 'APPEND_QUEUE_FULL')).to.equal(true);
    await loop.stop();
    expect(isStorageError(await first, 'LOG_CLOSED')).to.equal(true);
  });
});

import { expect } from 'chai';
import { fetchPartitions } from '../../../src/broker/partitions/fetch-reader';
import { Partition } from '../../../src/broker/partitions/partition';
import { stateFreeProducers } from '../../../src/broker/partitions/producer-state-hook';
import { effectiveTopicConfig } from '../../../src/broker/topics/topic-config';
import { defaultConfig } from '../../../src/config/load';
import { MemoryLog } from '../support/memory-log';
import { testBatch, testInspector } from '../support/test-batches';

function partition(index = 0): Partition {
  const ref = { topic: 't', topicId: 'id', partition: index };
  const config = effectiveTopicConfig({}, defaultConfig().topics);
  return new Partition(ref, new MemoryLog(testInspector), config, { inspector: testInspector, producers: stateFreeProducers, now: () => 0n });
}

const never = new AbortController().signal;

describe('Fetch reader', () => {
  it('parks a fetch at the high watermark until an append wakes it', async () => {
    const p = partition();
    const started = Date.now();
    const fetching = fetchPartitions([{ partition: Promise.resolve(p), fetchOffset: 0n, partitionMaxBytes: 1 << 20 }],
      { maxBytes: 1 << 20, minBytes: 1, maxWaitMs: 5000, shutdown: never });
    setTimeout(() => void p.append(testBatch(2)), 30);
    const [result] = await fetching;
    expect(Date.now() - started).to.be.lessThan(2000);
    expect(result.chunks).to.have.length(1);
    expect(result.highWatermark).to.equal(2n);
  });

  it('answers with empty records when max_wait_ms passes without data', async () => {
    const [result] = await fetchPartitions([{ partition: Promise.resolve(partition()), fetchOffset: 0n, partitionMaxBytes: 100 }],
      { maxBytes: 100, minBytes: 1, maxWaitMs: 20, shutdown: never });
    expect(result.error).to.equal(null);
    expect(result.bytes).to.equal(0);
  });

  it('answers a parked fetch at once when the broker shuts down', async () => {
    const shutdown = new AbortController();
    const fetching = fetchPartitions([{ partition: Promise.resolve(partition()), fetchOffset: 0n, partitionMaxBytes: 100 }],
      { maxBytes: 100, minBytes: 1, maxWaitMs: 60_000, shutdown: shutdown.signal });
    setTimeout(() => shutdown.abort(), 10);
    expect((await fetching)[0].bytes).to.equal(0);
  });

  it('returns a whole first batch larger than max_bytes, and nothing more past the budget (KIP-74)', async () => {
    const a = partition(0);
    const b = partition(1);
    await a.append(testBatch(1, 0n, 500));
    await b.append(testBatch(1, 0n, 500));
    const results = await fetchPartitions([
      { partition: Promise.resolve(a), fetchOffset: 0n, partitionMaxBytes: 100 },
      { partition: Promise.resolve(b), fetchOffset: 0n, partitionMaxBytes: 100 },
    ], { maxBytes: 100, minBytes: 1, maxWaitMs: 0, shutdown: never });
    expect(results[0].bytes).to.equal(520);
    expect(results[1].bytes).to.equal(0);
  });

  it('reports an unknown partition as that partition\'s error and still serves its siblings', async () => {
    const good = partition();
    await good.append(testBatch(1));
    const results = await fetchPartitions([
      { partition: Promise.reject(new Error('unknown')), fetchOffset: 0n, partitionMaxBytes: 100 },
      { partition: Promise.resolve(good), fetchOffset: 0n, partitionMaxBytes: 100 },
    ], { maxBytes: 1000, minBytes: 1, maxWaitMs: 0, shutdown: never });
    expect(results[0].error).to.be.instanceOf(Error);
    expect(results[1].chunks).to.have.length(1);
  });
});

import { expect } from 'chai';
import { isDomainError } from '../../../src/broker/errors';
import { Partition } from '../../../src/broker/partitions/partition';
import { stateFreeProducers, ProducerStateHook } from '../../../src/broker/partitions/producer-state-hook';
import { effectiveTopicConfig, TopicDefaults } from '../../../src/broker/topics/topic-config';
import { defaultConfig } from '../../../src/config/load';
import { MemoryLog } from '../support/memory-log';
import { testBatch, testInspector } from '../support/test-batches';

const defaults: TopicDefaults = defaultConfig().topics;
const ref = { topic: 't', topicId: '00000000-0000-0000-0000-000000000001', partition: 0 };

function partition(configs: Record<string, string> = {}, producers: ProducerStateHook = stateFreeProducers) {
  const log = new MemoryLog(testInspector);
  const p = new Partition(ref, log, effectiveTopicConfig(configs, defaults), { inspector: testInspector, producers, now: () => 5000n });
  return { log, p };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

describe('Partition', () => {
  it('assigns consecutive base offsets by record count and rewrites them into the stored bytes', async () => {
    const { log, p } = partition();
    expect((await p.append(testBatch(3))).baseOffset).to.equal(0n);
    expect((await p.append(testBatch(2))).baseOffset).to.equal(3n);
    expect(log.batches[1].bytes.readBigInt64BE(0)).to.equal(3n);
    expect(p.highWatermark()).to.equal(5n);
  });

  it('stamps LogAppendTime on topics that ask for it and reports it', async () => {
    const { log, p } = partition({ 'message.timestamp.type': 'LogAppendTime' });
    const outcome = await p.append(testBatch(1, 42n));
    expect(outcome.logAppendTimeMs).to.equal(5000n);
    expect(log.batches[0].bytes.readBigInt64BE(12)).to.equal(5000n);
    expect(log.batches[0].maxTimestampMs).to.equal(5000n);
  });

  it('keeps the producer timestamp on CreateTime topics', async () => {
    const { log, p } = partition();
    expect((await p.append(testBatch(1, 42n))).logAppendTimeMs).to.equal(-1n);
    expect(log.batches[0].maxTimestampMs).to.equal(42n);
  });

  it('rejects a batch larger than max.message.bytes and a corrupt batch without appending', async () => {
    const { log, p } = partition({ 'max.message.bytes': '100' });
    expect(isDomainError(await rejection(p.append(testBatch(1, 0n, 200))), 'batch-too-large')).to.equal(true);
    expect(isDomainError(await rejection(p.append(testBatch(0))), 'corrupt-batch')).to.equal(true);
    expect(log.batches).to.have.length(0);
  });

  it('answers a duplicate from the producer-state hook with the original offset and appends nothing', async () => {
    const hook: ProducerStateHook = { ...stateFreeProducers, beforeAppend: () => ({ kind: 'duplicate', baseOffset: 7n }) };
    const { log, p } = partition({}, hook);
    expect((await p.append(testBatch(1))).baseOffset).to.equal(7n);
    expect(log.batches).to.have.length(0);
  });

  it('acknowledges only once the log reports the append durable', async () => {
    const { log, p } = partition();
    log.holdAppends = true;
    let acked = false;
    const pending = p.append(testBatch(1)).then(() => {
      acked = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(acked).to.equal(false);
    log.release();
    await pending;
    expect(acked).to.equal(true);
  });

  it('rejects reads below the log start or above the high watermark as offset-out-of-range', async () => {
    const { p } = partition();
    await p.append(testBatch(2));
    expect(isDomainError(await rejection(p.read(3n, 100)), 'offset-out-of-range')).to.equal(true);
    expect(isDomainError(await rejection(p.read(-1n, 100)), 'offset-out-of-range')).to.equal(true);
    expect((await p.read(2n, 100)).chunks).to.have.length(0);
  });
});

import { expect } from 'chai';
import { initProducerIdHandler } from '../../../src/broker/kafka/handlers/init-producer-id';
import { ProducerIdAllocator } from '../../../src/broker/producers/producer-id-allocator';
import { ctx, testServices, TestServices } from '../support/test-services';

describe('InitProducerId handler', () => {
  let t: TestServices;
  beforeEach(async () => { t = await testServices(); });
  afterEach(async () => t.stop());

  it('gives every idempotent producer a new id with epoch 0, ignoring the v3+ id/epoch fields without a transactional id', async () => {
    const handler = initProducerIdHandler(new ProducerIdAllocator(t.services.store, t.services.keys.producerIds));
    const first = await handler.handle({ transactionalId: null, transactionTimeoutMs: 60_000 }, ctx(22, 1));
    const second = await handler.handle({ transactionalId: null, transactionTimeoutMs: 60_000, producerId: 0n, producerEpoch: 0 }, ctx(22, 4));
    expect(first).to.include({ errorCode: 0, producerEpoch: 0 });
    expect(second).to.include({ errorCode: 0, producerEpoch: 0 });
    expect(second.producerId).to.not.equal(first.producerId);
  });

  it('refuses transactional ids with INVALID_REQUEST until transactions exist', async () => {
    const handler = initProducerIdHandler(new ProducerIdAllocator(t.services.store, t.services.keys.producerIds));
    expect(await handler.handle({ transactionalId: 'tx', transactionTimeoutMs: 60_000 }, ctx(22, 1))).to.include({ errorCode: 42, producerId: -1n });
  });
});

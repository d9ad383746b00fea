import { expect } from 'chai';
import { alterConfigsHandler, incrementalAlterConfigsHandler } from '../../../../src/broker/kafka/handlers/alter-configs';
import { ctx, testServices, TestServices } from '../../support/test-services';

const TOPIC = 2;
const BROKER = 4;
const SET = 0;
const DELETE = 1;
const APPEND = 2;

describe('AlterConfigs and IncrementalAlterConfigs', () => {
  let t: TestServices;

  beforeEach(async () => {
    t = await testServices();
    await t.services.topics.create({ name: 'conf', partitions: 2, configs: { 'retention.ms': '1000', 'segment.bytes': '1048576' } });
  });

  afterEach(() => t.stop());

  it('IncrementalAlterConfigs sets and deletes only what it names, and open partitions take the change', async () => {
    await t.services.partitions.get('conf', 1);
    const res = await incrementalAlterConfigsHandler(t.services).handle({
      validateOnly: false,
      resources: [{ resourceType: TOPIC, resourceName: 'conf', configs: [
        { name: 'retention.ms', configOperation: SET, value: '5000' },
        { name: 'segment.bytes', configOperation: DELETE, value: null },
        { name: 'max.message.bytes', configOperation: SET, value: '2048' },
      ] }],
    }, ctx(44, 1));
    expect(res.responses).to.deep.equal([{ resourceType: TOPIC, resourceName: 'conf', errorCode: 0, errorMessage: null }]);
    expect(t.services.topics.get('conf')!.configs).to.deep.equal({ 'retention.ms': '5000', 'max.message.bytes': '2048' });
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(t.reconfigured).to.deep.equal([['conf-1', 5000]]);
  });

  it('AlterConfigs replaces the whole set: what it leaves out goes back to the default', async () => {
    const res = await alterConfigsHandler(t.services).handle({
      validateOnly: false, resources: [{ resourceType: TOPIC, resourceName: 'conf', configs: [{ name: 'retention.bytes', value: '4096' }] }],
    }, ctx(33, 1));
    expect(res.responses[0].errorCode).to.equal(0);
    expect(t.services.topics.get('conf')!.configs).to.deep.equal({ 'retention.bytes': '4096' });
  });

  it('changes nothing when validating only, and fails each bad resource alone with a message', async () => {
    const res = await incrementalAlterConfigsHandler(t.services).handle({
      validateOnly: false,
      resources: [
        { resourceType: TOPIC, resourceName: 'conf', configs: [{ name: 'flush.policy', configOperation: SET, value: 'sometimes' }] },
        { resourceType: TOPIC, resourceName: 'conf', configs: [{ name: 'no.such.config', configOperation: SET, value: '1' }] },
        { resourceType: TOPIC, resourceName: 'conf', configs: [{ name: 'retention.ms', configOperation: APPEND, value: '1' }] },
        { resourceType: TOPIC, resourceName: 'conf', configs: [{ name: 'retention.ms', configOperation: SET, value: '1' }, { name: 'retention.ms', configOperation: DELETE, value: null }] },
        { resourceType: TOPIC, resourceName: 'missing', configs: [{ name: 'retention.ms', configOperation: SET, value: '1' }] },
        { resourceType: BROKER, resourceName: '0', configs: [{ name: 'log.retention.ms', configOperation: SET, value: '1' }] },
        { resourceType: TOPIC, resourceName: 'conf', configs: [{ name: 'durability', configOperation: SET, value: 'cloud' }] },
      ],
    }, ctx(44, 0));
    expect(res.responses.map((r: { errorCode: number }) => r.errorCode)).to.deep.equal([40, 40, 40, 42, 3, 42, 40]);
    expect(res.responses[0].errorMessage).to.match(/flush\.policy/);
    expect(res.responses[2].errorMessage).to.match(/list configs/);
    expect(res.responses[5].errorMessage).to.match(/static/);
    expect(res.responses[6].errorMessage).to.match(/object-store tier/);
    const dry = await alterConfigsHandler(t.services).handle({
      validateOnly: true, resources: [{ resourceType: TOPIC, resourceName: 'conf', configs: [{ name: 'retention.ms', value: '7' }] }],
    }, ctx(33, 2));
    expect(dry.responses[0].errorCode).to.equal(0);
    expect(t.services.topics.get('conf')!.configs).to.deep.equal({ 'retention.ms': '1000', 'segment.bytes': '1048576' });
  });
});

import { expect } from 'chai';
import { NativeError } from '../../../src/broker/native/native-error';
import { validatePolicies } from '../../../src/broker/native/namespaces';
import { nativeNameOf, parseTopicName } from '../../../src/broker/native/topic-names';

describe('Native topic names and namespaces', () => {
  it('maps /default/x to the Kafka topic x and a bare name to /default', () => {
    expect(parseTopicName('/default/orders')).to.deep.equal({ namespace: 'default', local: 'orders', full: '/default/orders', kafka: 'orders' });
    expect(parseTopicName('orders').full).to.equal('/default/orders');
  });

  it('maps /ns/name to the Kafka topic ns.name and back when the namespace exists', () => {
    expect(parseTopicName('/payments/orders').kafka).to.equal('payments.orders');
    expect(nativeNameOf('payments.orders', (ns) => ns === 'payments')).to.equal('/payments/orders');
    expect(nativeNameOf('some.dotted', () => false)).to.equal('/default/some.dotted');
  });

  it('refuses malformed names with invalidRequest', () => {
    for (const bad of ['/a/b/c', '/ns/', '/bad ns/x', '/default/has space', '']) {
      expect(() => parseTopicName(bad), bad).to.throw(NativeError).with.property('code', 'invalidRequest');
    }
  });

  it('accepts known namespace policies and refuses unknown or negative ones', () => {
    expect(validatePolicies({ maxProducersPerTopic: 2, retentionMs: -1 })).to.deep.equal({ maxProducersPerTopic: 2, retentionMs: -1 });
    expect(() => validatePolicies({ maxProducers: 1 })).to.throw(/unknown namespace policy maxProducers/);
    expect(() => validatePolicies({ maxMessageBytes: -5 })).to.throw(/non-negative integer/);
    expect(() => validatePolicies([1])).to.throw(/must be an object/);
  });
});

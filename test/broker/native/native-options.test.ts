import { expect } from 'chai';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nativeOptionsFromConfig } from '../../../src/broker/native/native-plugin';
import { defaultConfig, loadConfig } from '../../../src/config/load';
import { NATIVE_LIMITS } from '../../../src/limits';

describe('Native settings from the broker config', () => {
  it('default to no auth, no extra listener and the NATIVE_LIMITS ack timeout and redeliveries', () => {
    expect(nativeOptionsFromConfig(defaultConfig())).to.deep.equal({
      authTokens: null,
      listen: null,
      tuning: { ackTimeoutMs: NATIVE_LIMITS.ackTimeoutMsDefault, maxRedeliveries: NATIVE_LIMITS.maxRedeliveriesDefault, tickMs: 50 },
    });
  });

  it('keep the TRIBUTARY_NATIVE_* variables working, and take the YAML section and --native-listen', () => {
    const fromEnv = loadConfig({
      env: {
        TRIBUTARY_NATIVE_AUTH_TOKENS: 'alpha, beta', TRIBUTARY_NATIVE_ACK_TIMEOUT_MS: '1500',
        TRIBUTARY_NATIVE_MAX_REDELIVERIES: '0', TRIBUTARY_NATIVE_LISTEN: '127.0.0.1:6650',
      },
    });
    expect(nativeOptionsFromConfig(fromEnv)).to.deep.equal({
      authTokens: ['alpha', 'beta'], listen: '127.0.0.1:6650', tuning: { ackTimeoutMs: 1500, maxRedeliveries: 0, tickMs: 50 },
    });
    const file = join(mkdtempSync(join(tmpdir(), 'tributary-native-config-')), 'c.yml');
    writeFileSync(file, 'native:\n  authTokens: [gamma]\n  ackTimeoutMs: 2500\n  maxRedeliveries: 7\n');
    const fromYaml = loadConfig({ file, env: {}, overrides: { 'native.listen': '127.0.0.1:6651' } });
    expect(nativeOptionsFromConfig(fromYaml)).to.deep.equal({
      authTokens: ['gamma'], listen: '127.0.0.1:6651', tuning: { ackTimeoutMs: 2500, maxRedeliveries: 7, tickMs: 50 },
    });
  });

  it('refuse bad values with the key, the variable and the allowed values', () => {
    expect(() => loadConfig({ env: { TRIBUTARY_NATIVE_ACK_TIMEOUT_MS: 'soon' } })).to.throw(
      'invalid config native.ackTimeoutMs (env TRIBUTARY_NATIVE_ACK_TIMEOUT_MS)="soon": allowed an integer from 100 to 86400000',
    );
    expect(() => loadConfig({ env: { TRIBUTARY_NATIVE_MAX_REDELIVERIES: '-1' } })).to.throw(/native.maxRedeliveries .*allowed an integer from 0 to 1000/);
    expect(() => loadConfig({ env: { TRIBUTARY_NATIVE_LISTEN: 'nowhere' } })).to.throw(/native.listen .*allowed HOST:PORT with a port/);
  });
});

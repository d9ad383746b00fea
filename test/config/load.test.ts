import { expect } from 'chai';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderExampleConfig } from '../../src/config/example';
import { ConfigError } from '../../src/config/knobs';
import { defaultConfig, loadConfig } from '../../src/config/load';
import { envName } from '../../src/config/schema';

function yamlFile(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'tributary-config-')), 'config.yml');
  writeFileSync(file, text);
  return file;
}

describe('Broker config', () => {
  it('defaults to one broker on 127.0.0.1:9092 with data under ./data and 1-partition auto-created topics', () => {
    const config = defaultConfig();
    expect(config.broker.listen).to.equal('127.0.0.1:9092');
    expect(config.data.dir).to.equal('./data');
    expect(config.topics.autoCreate).to.equal(true);
    expect(config.topics.defaultPartitions).to.equal(1);
  });

  it('layers YAML, then TRIBUTARY_* environment variables, then CLI flags', () => {
    const file = yamlFile('broker:\n  id: 3\n  listen: 127.0.0.1:1000\ntopics:\n  defaultPartitions: 4\n');
    const config = loadConfig({
      file,
      env: { TRIBUTARY_BROKER_LISTEN: '127.0.0.1:2000', TRIBUTARY_TOPICS_AUTO_CREATE: 'false' },
      overrides: { 'broker.listen': '127.0.0.1:3000' },
    });
    expect(config.broker.id).to.equal(3);
    expect(config.topics.defaultPartitions).to.equal(4);
    expect(config.topics.autoCreate).to.equal(false);
    expect(config.broker.listen).to.equal('127.0.0.1:3000');
  });

  it('names the key and the allowed values of a bad enum value', () => {
    const file = yamlFile('topics:\n  flushPolicy: sometimes\n');
    expect(() => loadConfig({ file, env: {} })).to.throw(ConfigError, /topics\.flushPolicy.*sometimes.*always, interval, never/);
  });

  it('names the environment variable of a bad value and the allowed range', () => {
    expect(() => loadConfig({ env: { TRIBUTARY_BROKER_ID: '-4' } })).to.throw(ConfigError, /broker\.id.*TRIBUTARY_BROKER_ID.*0 to 2147483647/);
  });

  it('rejects an unknown key and lists the keys its section allows', () => {
    const file = yamlFile('broker:\n  lisen: 127.0.0.1:1\n');
    expect(() => loadConfig({ file, env: {} })).to.throw(ConfigError, /broker\.lisen.*listen/);
  });

  it('rejects a listen address without a port', () => {
    expect(() => loadConfig({ env: {}, overrides: { 'broker.listen': 'localhost' } })).to.throw(ConfigError, /broker\.listen.*HOST:PORT/);
  });

  it('reports a file that is not YAML', () => {
    const file = yamlFile('broker: [unclosed\n');
    expect(() => loadConfig({ file, env: {} })).to.throw(ConfigError, /not valid YAML/);
  });

  it('derives environment variable names from the key', () => {
    expect(envName('topics.autoCreate')).to.equal('TRIBUTARY_TOPICS_AUTO_CREATE');
    expect(envName('data.dir')).to.equal('TRIBUTARY_DATA_DIR');
  });

  it('documents every knob with its default in config/tributary.example.yml', () => {
    const example = readFileSync(join(__dirname, '../../config/tributary.example.yml'), 'utf8');
    expect(example).to.equal(renderExampleConfig());
    expect(loadConfig({ file: join(__dirname, '../../config/tributary.example.yml'), env: {} })).to.deep.equal(defaultConfig());
  });
});

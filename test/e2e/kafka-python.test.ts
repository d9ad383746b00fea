import { expect } from 'chai';
import { join } from 'node:path';
import { BrokerFixture, startTestBroker } from './support/broker-fixture';
import { run } from './support/run';

const PYTHON = '/usr/bin/python3';
const SCRIPT = join(__dirname, 'support/kafka-python-roundtrip.py');

describe('kafka-python end to end', function () {
  this.timeout(60_000);
  let fixture: BrokerFixture;

  before(async () => {
    fixture = await startTestBroker();
  });

  after(async () => {
    await fixture?.stop();
  });

  for (const compression of ['none', 'gzip']) {
    it(`produces with acks=1 and reads back with assign() (compression ${compression})`, async () => {
      const count = 2000;
      const { stdout } = await run(PYTHON, [SCRIPT, fixture.bootstrap, `py-${compression}`, String(count), compression], '', 50_000);
      const result = JSON.parse(stdout) as { offsets: number[]; read: Array<[number, string, string]>; end: number };
      expect(result.offsets).to.deep.equal([...Array(count).keys()]);
      expect(result.end).to.equal(count);
      expect(result.read).to.deep.equal([...Array(count).keys()].map((i) => [i, `k${i % 7}`, `value-${i}`]));
    });
  }
});

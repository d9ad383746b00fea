import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HEAP_GROWING_PERCENT_ENV, heapGrowingPercent } from '../../src/cli/heap-growth';
import { PROCESS_LIMITS } from '../../src/limits';
import { freePort } from '../e2e/groups-harness';
import { runCli, startCli } from './support/cli-process';

/** The `broker started` log line of a `tributary broker` run with `env`; the broker is stopped after. */
async function brokerStartedLine(env: Record<string, string>): Promise<Record<string, unknown>> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tributary-heap-growth-'));
  const cli = startCli(['broker', '--listen', `127.0.0.1:${await freePort()}`, '--data-dir', dataDir], { TRIBUTARY_LOG_LEVEL: 'info', ...env });
  try {
    for (let count = 1; ; count++) {
      const lines = await cli.waitForLines(count);
      const parsed = JSON.parse(lines[count - 1]) as Record<string, unknown>;
      if (parsed.msg === 'broker started') return parsed;
    }
  } finally {
    cli.child.kill('SIGTERM');
    await cli.exited;
    rmSync(dataDir, { recursive: true, force: true });
  }
}

describe('the heap growing factor of a tributary process', () => {
  it('defaults to PROCESS_LIMITS.heapGrowingPercent', () => {
    expect(heapGrowingPercent({}, [])).to.equal(PROCESS_LIMITS.heapGrowingPercent);
    expect(heapGrowingPercent({ [HEAP_GROWING_PERCENT_ENV]: '' }, [])).to.equal(PROCESS_LIMITS.heapGrowingPercent);
  });

  it('takes the environment variable, where 0 leaves V8 its own heuristic', () => {
    expect(heapGrowingPercent({ [HEAP_GROWING_PERCENT_ENV]: '150' }, [])).to.equal(150);
    expect(heapGrowingPercent({ [HEAP_GROWING_PERCENT_ENV]: '0' }, [])).to.equal(null);
  });

  it('leaves a --heap-growing-percent given to node on its command line alone', () => {
    expect(heapGrowingPercent({}, ['--heap-growing-percent=50'])).to.equal(null);
    expect(heapGrowingPercent({ [HEAP_GROWING_PERCENT_ENV]: '150' }, ['--heap_growing_percent', '50'])).to.equal(null);
  });

  it('refuses a value that is not an integer from 0 to 10000, naming the variable', () => {
    for (const bad of ['abc', '-1', '2.5', '10001']) {
      expect(() => heapGrowingPercent({ [HEAP_GROWING_PERCENT_ENV]: bad }, []), bad).to.throw(HEAP_GROWING_PERCENT_ENV);
    }
  });

  it('is applied by the tributary command before the broker starts, and logged', async () => {
    expect((await brokerStartedLine({})).heapGrowingPercent).to.equal(PROCESS_LIMITS.heapGrowingPercent);
    expect((await brokerStartedLine({ [HEAP_GROWING_PERCENT_ENV]: '0' })).heapGrowingPercent).to.equal(null);
  });

  it('stops the tributary command at start with a bad value', async () => {
    const result = await runCli(['broker', '--listen', `127.0.0.1:${await freePort()}`], undefined, { [HEAP_GROWING_PERCENT_ENV]: 'lots' });
    expect(result.code).to.equal(2);
    expect(result.stderr).to.contain(`${HEAP_GROWING_PERCENT_ENV}=lots`);
  });
});

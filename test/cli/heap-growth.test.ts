import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { heapGrowingPercentToSet } from '../../src/cli/heap-growth';
import { PROCESS_LIMITS } from '../../src/limits';
import { freePort } from '../e2e/groups-harness';
import { runCli, startCli } from './support/cli-process';

const ENV = 'TRIBUTARY_RUNTIME_HEAP_GROWING_PERCENT';

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

describe('the heap growing factor of the broker process', () => {
  it('is set to the configured percent, where 0 leaves V8 its own heuristic', () => {
    expect(heapGrowingPercentToSet(300, [])).to.equal(300);
    expect(heapGrowingPercentToSet(0, [])).to.equal(null);
  });

  it('leaves a --heap-growing-percent given to node on its command line alone', () => {
    expect(heapGrowingPercentToSet(300, ['--heap-growing-percent=50'])).to.equal(null);
    expect(heapGrowingPercentToSet(300, ['--heap_growing_percent', '50'])).to.equal(null);
    expect(heapGrowingPercentToSet(300, ['--heap-growing-percentage-unrelated'])).to.equal(300);
  });

  it('is applied by `tributary broker` before the broker starts, and logged', async () => {
    expect((await brokerStartedLine({})).heapGrowingPercent).to.equal(PROCESS_LIMITS.heapGrowingPercent);
    expect((await brokerStartedLine({ [ENV]: '150' })).heapGrowingPercent).to.equal(150);
    expect((await brokerStartedLine({ [ENV]: '0' })).heapGrowingPercent).to.equal(null);
  });

  it('stops `tributary broker` at start on a bad value, naming the key and the allowed values', async () => {
    const result = await runCli(['broker', '--listen', `127.0.0.1:${await freePort()}`], undefined, { [ENV]: 'lots' });
    expect(result.code).to.equal(2);
    expect(result.stderr).to.contain('runtime.heapGrowingPercent').and.to.contain('0 to 10000');
  });
});

import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BrokerFixture, startTestBroker } from '../e2e/support/broker-fixture';
import { run } from '../e2e/support/run';
import { runCli } from './support/cli-process';

const KCAT = '/usr/bin/kcat';

describe('tributary produce (the real CLI against a real broker)', function () {
  this.timeout(60_000);
  let fixture: BrokerFixture;

  before(async () => {
    fixture = await startTestBroker({ 'log.level': 'silent' });
  });
  after(() => fixture.stop());

  /** What kcat reads back from the topic, one formatted line per message. */
  async function kcatLines(topic: string, format: string): Promise<string[]> {
    const { stdout } = await run(KCAT, ['-C', '-b', fixture.bootstrap, '-t', topic, '-o', 'beginning', '-e', '-q', '-f', format]);
    return stdout.split('\n').slice(0, -1);
  }

  it('sends --count messages of --size bytes, each keyed by --key, and reports the rate', async () => {
    const result = await runCli(['produce', 'sized', '--bootstrap', fixture.bootstrap, '--count', '50', '--size', '64', '--key', 'k1']);
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stderr).to.match(/produced 50 messages in .* msg\/s/);
    expect(await kcatLines('sized', '%k|%S|%s\n')).to.deep.equal(Array.from({ length: 50 }, () => `k1|64|${'x'.repeat(64)}`));
  });

  it('sends 100-byte messages without a key when neither --size nor --key is given', async () => {
    const result = await runCli(['produce', 'defaults', '--bootstrap', fixture.bootstrap, '--count', '3']);
    expect(result.code, result.stderr).to.equal(0);
    // kcat prints an absent key as an empty string and its size as -1 (%K).
    expect(await kcatLines('defaults', '%K|%S\n')).to.deep.equal(['-1|100', '-1|100', '-1|100']);
  });

  it('paces --count messages to at most --rate per second (the record timestamps span the expected time)', async () => {
    const result = await runCli(['produce', 'paced', '--bootstrap', fixture.bootstrap, '--count', '21', '--size', '10', '--rate', '20']);
    expect(result.code, result.stderr).to.equal(0);
    const timestamps = (await kcatLines('paced', '%T\n')).map(Number);
    expect(timestamps).to.have.length(21);
    // Message i is sent no earlier than i / rate seconds after the first: 20 intervals of 50 ms. The
    // first timestamp is taken a little after the pacer's start, hence the margin below 1000 ms.
    expect(timestamps[20] - timestamps[0]).to.be.at.least(950);
    for (let i = 1; i < timestamps.length; i++) expect(timestamps[i]).to.be.at.least(timestamps[i - 1]);
  });

  it('without --count sends one message per stdin line, in order, keyed by --key, empty lines included', async () => {
    const result = await runCli(['produce', '/default/lines', '--bootstrap', fixture.bootstrap, '--key', 'line-key'], 'alpha\nbeta\n\ngamma ü\n');
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stderr).to.match(/produced 4 messages/);
    expect(await kcatLines('lines', '%k|%s\n')).to.deep.equal(['line-key|alpha', 'line-key|beta', 'line-key|', 'line-key|gamma ü']);
  });

  it('sends every stdin line in order across many reads of stdin, drops the \\r of a CRLF, and sends a last line without a newline', async () => {
    const lines = Array.from({ length: 30_000 }, (_, i) => `line-${i}`);
    const result = await runCli(['produce', 'many-lines', '--bootstrap', fixture.bootstrap], `${lines.join('\n')}\r\nlast`);
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stderr).to.match(/produced 30001 messages/);
    expect(await kcatLines('many-lines', '%s\n')).to.deep.equal([...lines, 'last']);
  });

  it('reads stdin that is a file (`< file`) in large pieces, every line once and in order, lines spanning pieces included', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'produce-file-'));
    const file = join(dir, 'lines');
    // 3 MiB of lines of 1..700 bytes: several 1 MiB reads, with lines cut at their edges.
    const lines: string[] = [];
    for (let i = 0, bytes = 0; bytes < 3 << 20; i++) {
      lines.push(`${i}:${'z'.repeat((i * 37) % 700)}`);
      bytes += lines[lines.length - 1].length + 1;
    }
    writeFileSync(file, `${lines.join('\n')}\n`);
    const cli = join(__dirname, '../../scripts/tributary.cjs');
    try {
      const result = await run('sh', ['-c', `TRIBUTARY_LOG_LEVEL=silent "${process.execPath}" "${cli}" produce from-file --bootstrap ${fixture.bootstrap} < "${file}"`], '', 60_000);
      expect(result.stderr).to.match(new RegExp(`produced ${lines.length} messages`));
      expect(await kcatLines('from-file', '%s\n')).to.deep.equal(lines);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('prints a progress line with the count and the rate every second on long runs (TRIBUTARY_PROGRESS=1 when stderr is no terminal)', async () => {
    const result = await runCli(['produce', 'progress', '--bootstrap', fixture.bootstrap, '--count', '25', '--rate', '10'], undefined, { TRIBUTARY_PROGRESS: '1' });
    expect(result.code, result.stderr).to.equal(0);
    const progress = result.stderr.split('\n').filter((l) => /^produced \d+\/25 messages, \d+ msg\/s$/.test(l));
    expect(progress.length).to.be.at.least(1);
    expect(result.stderr).to.match(/produced 25 messages in .* msg\/s, .* MiB\/s/);
  });

  it('paces stdin lines to --rate too', async () => {
    const input = Array.from({ length: 11 }, (_, i) => `line-${i}`).join('\n');
    const result = await runCli(['produce', 'paced-lines', '--bootstrap', fixture.bootstrap, '--rate', '10'], `${input}\n`);
    expect(result.code, result.stderr).to.equal(0);
    const timestamps = (await kcatLines('paced-lines', '%T\n')).map(Number);
    expect(timestamps).to.have.length(11);
    expect(timestamps[10] - timestamps[0]).to.be.at.least(950);
  });

  for (const [flag, value] of [['--count', '0'], ['--size', '-5'], ['--rate', 'fast']]) {
    it(`refuses ${flag} ${value} with a usage error (exit 2) and sends nothing`, async () => {
      const topic = `refused-${flag.slice(2)}`;
      const result = await runCli(['produce', topic, '--bootstrap', fixture.bootstrap, '--count', '1', flag, value]);
      expect(result.code).to.equal(2);
      expect(result.stderr).to.contain(flag.slice(2));
      // Not even created: the CLI stopped before it connected.
      const read = await kcatLines(topic, '%s\n').then(() => 'read', (err: Error) => err.message);
      expect(read).to.match(/Unknown topic or partition/);
    });
  }

  it('exits 1 with the broker\'s reason when the producer is refused (a namespace that does not exist)', async () => {
    const result = await runCli(['produce', '/nowhere/t', '--bootstrap', fixture.bootstrap, '--count', '1']);
    expect(result.code).to.equal(1);
    expect(result.stderr).to.match(/^tributary: .*nowhere/m);
  });

  it('refuses to run without --bootstrap', async () => {
    const result = await runCli(['produce', 'x', '--count', '1']);
    expect(result.code).to.equal(2);
    expect(result.stderr).to.match(/usage: tributary produce TOPIC --bootstrap/);
  });
});

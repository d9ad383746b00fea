import { expect } from 'chai';
import { spawn, spawnSync } from 'node:child_process';
import { encodeRequest } from '../../../src/protocol/kafka/frames';
import { readBatchHeader } from '../../../src/protocol/kafka/record-batch';
import { validateProducedBatch } from '../../../src/protocol/kafka/record-batch-validation';
import { CaptureStub } from './support/capture-stub';

const KCAT = '/usr/bin/kcat';

function kcat(args: string[], input = ''): Promise<number | null> {
  return new Promise((resolve) => {
    const child = spawn(KCAT, args, { stdio: ['pipe', 'ignore', 'ignore'] });
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
    child.stdin.end(input);
  });
}

describe('Conformance with librdkafka 2.0.2 (kcat) request encoders', function () {
  this.timeout(60_000);
  const stub = new CaptureStub();

  before(async function () {
    if (spawnSync(KCAT, ['-V']).status !== 0) this.skip();
    await stub.listen();
    const broker = `127.0.0.1:${stub.port}`;
    expect(await kcat(['-b', broker, '-L', '-m', '5'])).to.equal(0);
    expect(await kcat(['-b', broker, '-P', '-t', 'orders', '-p', '0', '-X', 'enable.idempotence=true', '-K:', '-H', 'h=v'], 'k1:v1\nk2:v2\n')).to.equal(0);
    expect(await kcat(['-b', broker, '-C', '-t', 'orders', '-p', '0', '-o', 'beginning', '-e', '-m', '5'])).to.equal(0);
  });

  after(() => stub.close());

  it('sends ApiVersions v3 (flexible header), then Metadata v4, InitProducerId v4 (flexible), Produce v7 and Fetch v11, all re-encoded byte for byte', () => {
    const versions = new Set(stub.captured.map(({ request }) => `${request.api.name} v${request.header.requestApiVersion}`));
    for (const expected of ['ApiVersions v3', 'Metadata v4', 'Produce v7', 'InitProducerId v4', 'Fetch v11']) {
      expect([...versions], `librdkafka sent ${expected}`).to.include(expected);
    }
    for (const { frame, request } of stub.captured) {
      const again = Buffer.concat(encodeRequest(request.api, request.header, request.body as never)).subarray(4);
      expect(again.toString('hex'), `${request.api.name} v${request.header.requestApiVersion}`).to.equal(frame.toString('hex'));
    }
  });

  it('produces idempotent RecordBatch v2 batches that pass validation with their producer id', () => {
    const produces = stub.captured.filter(({ request }) => request.api.name === 'Produce');
    expect(produces).to.not.be.empty;
    for (const { request } of produces) {
      const topic = (request.body.topicData as Array<{ partitionData: Array<{ records: Buffer }> }>)[0];
      const records = topic.partitionData[0].records;
      expect(validateProducedBatch(records, { produceVersion: request.header.requestApiVersion })).to.include({ ok: true });
      expect(readBatchHeader(records)).to.include({ producerId: 1000n, producerEpoch: 0, baseSequence: 0, recordCount: 2 });
    }
  });
});

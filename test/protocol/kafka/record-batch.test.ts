import { expect } from 'chai';
import { ErrorCode } from '../../../src/protocol/kafka/error-codes';
import {
  batchesOf, maxTimestampOf, nextOffsetOf, readBatchHeader, setBaseOffset, setLogAppendTime, setPartitionLeaderEpoch, writeBatchCrc, BATCH,
} from '../../../src/protocol/kafka/record-batch';
import { buildRecordBatch, decodeRecordBatch } from '../../../src/protocol/kafka/record-batch-builder';
import { validateProducedBatch } from '../../../src/protocol/kafka/record-batch-validation';

/* eslint-disable @typescript-eslint/no-require-imports */
const { RecordBatch: KafkajsRecordBatch } = require('kafkajs/src/protocol/recordBatch/v0') as { RecordBatch: (p: object) => Promise<{ buffer: Buffer }> };
const KafkajsRecord = require('kafkajs/src/protocol/recordBatch/record/v0') as (p: object) => unknown;
const kafkajsBatchDecoder = require('kafkajs/src/protocol/recordBatch/v0/decoder') as (d: unknown) => Promise<{ records: Array<Record<string, unknown>> }>;
const KafkajsDecoder = require('kafkajs/src/protocol/decoder') as new (b: Buffer) => unknown;
const { Types: KafkajsCompression } = require('kafkajs/src/protocol/message/compression') as { Types: { GZIP: number } };
/* eslint-enable @typescript-eslint/no-require-imports */

const BASE_TS = 1_700_000_000_000n;

async function kafkajsBatch(compression = 0): Promise<Buffer> {
  const records = [
    KafkajsRecord({ offsetDelta: 0, timestampDelta: 0, key: Buffer.from('k0'), value: Buffer.from('v0'), headers: { h: Buffer.from('x') } }),
    KafkajsRecord({ offsetDelta: 1, timestampDelta: 5, key: null, value: Buffer.from('v1') }),
    KafkajsRecord({ offsetDelta: 2, timestampDelta: 9, key: Buffer.from('k2'), value: null }),
  ];
  const batch = await KafkajsRecordBatch({
    compression, firstTimestamp: Number(BASE_TS), maxTimestamp: Number(BASE_TS + 9n), lastOffsetDelta: 2, records,
    producerId: 7, producerEpoch: 1, firstSequence: 10,
  });
  return batch.buffer;
}

const ourBatch = () => buildRecordBatch({
  baseTimestamp: BASE_TS, partitionLeaderEpoch: 0, producerId: 7n, producerEpoch: 1, baseSequence: 10,
  records: [
    { key: Buffer.from('k0'), value: Buffer.from('v0'), headers: [{ key: 'h', value: Buffer.from('x') }] },
    { key: null, value: Buffer.from('v1'), timestamp: BASE_TS + 5n },
    { key: Buffer.from('k2'), value: null, timestamp: BASE_TS + 9n },
  ],
});

const rejected = (records: Buffer | null, produceVersion = 7, batchBytesMax?: number) => {
  const result = validateProducedBatch(records, { produceVersion, batchBytesMax });
  return result.ok ? 'ok' : result.errorCode;
};

/** Edits a header field and fixes the CRC, so only that field is wrong. */
const edited = (batch: Buffer, edit: (b: Buffer) => void) => {
  const copy = Buffer.from(batch);
  edit(copy);
  writeBatchCrc(copy);
  return copy;
};

describe('RecordBatch v2', () => {
  it('builds byte for byte the batch kafkajs builds from the same records', async () => {
    expect(ourBatch().toString('hex')).to.equal((await kafkajsBatch()).toString('hex'));
  });

  it('reads every header field of a kafkajs batch without decoding records', async () => {
    const header = readBatchHeader(await kafkajsBatch());
    expect(header).to.deep.include({
      baseOffset: 0n, partitionLeaderEpoch: 0, magic: 2, compressionId: 0, timestampType: 'create', isTransactional: false,
      isControl: false, lastOffsetDelta: 2, baseTimestamp: BASE_TS, maxTimestamp: BASE_TS + 9n, producerId: 7n,
      producerEpoch: 1, baseSequence: 10, recordCount: 3,
    });
  });

  it('decodes records kafkajs encoded, and kafkajs decodes the records built here', async () => {
    const { records } = decodeRecordBatch(await kafkajsBatch());
    expect(records.map((r) => [r.offset, r.timestamp, r.key?.toString() ?? null, r.value?.toString() ?? null])).to.deep.equal([
      [0n, BASE_TS, 'k0', 'v0'], [1n, BASE_TS + 5n, null, 'v1'], [2n, BASE_TS + 9n, 'k2', null],
    ]);
    expect(records[0].headers).to.deep.equal([{ key: 'h', value: Buffer.from('x') }]);
    const batch = ourBatch();
    setBaseOffset(batch, 100n);
    const decoded = await kafkajsBatchDecoder(new KafkajsDecoder(batch));
    expect(decoded.records.map((r) => [r.offset, r.key?.toString() ?? null])).to.deep.equal([['100', 'k0'], ['101', null], ['102', 'k2']]);
  });

  it('accepts a valid batch, compressed ones included, without decompressing', async () => {
    expect(rejected(await kafkajsBatch())).to.equal('ok');
    expect(rejected(await kafkajsBatch(KafkajsCompression.GZIP))).to.equal('ok');
  });

  it('rejects what Kafka rejects, with Kafka\'s error codes', async () => {
    const good = await kafkajsBatch();
    const badCrc = Buffer.from(good);
    badCrc[good.length - 1] ^= 1;
    expect(rejected(badCrc)).to.equal(ErrorCode.CORRUPT_MESSAGE);
    expect(rejected(null)).to.equal(ErrorCode.INVALID_RECORD);
    expect(rejected(Buffer.alloc(0))).to.equal(ErrorCode.INVALID_RECORD);
    expect(rejected(edited(good, (b) => b.writeInt8(1, BATCH.magicAt)))).to.equal(ErrorCode.INVALID_RECORD);
    expect(rejected(edited(good, (b) => b.writeInt8(7, BATCH.magicAt)))).to.equal(ErrorCode.CORRUPT_MESSAGE);
    expect(rejected(Buffer.concat([good, good]))).to.equal(ErrorCode.INVALID_RECORD);
    expect(rejected(good.subarray(0, good.length - 1))).to.equal(ErrorCode.INVALID_RECORD);
    expect(rejected(edited(good, (b) => b.writeInt32BE(3, BATCH.lastOffsetDeltaAt)))).to.equal(ErrorCode.INVALID_RECORD);
    expect(rejected(edited(good, (b) => b.writeInt32BE(0, BATCH.recordCountAt)))).to.equal(ErrorCode.INVALID_RECORD);
    expect(rejected(edited(good, (b) => {
      b.writeInt32BE(3, BATCH.lastOffsetDeltaAt);
      b.writeInt32BE(4, BATCH.recordCountAt);
    }))).to.equal(ErrorCode.CORRUPT_MESSAGE);
    expect(rejected(edited(good, (b) => b.writeInt16BE(0x20, BATCH.attributesAt)))).to.equal(ErrorCode.INVALID_RECORD);
    expect(rejected(edited(good, (b) => b.writeInt32BE(-1, BATCH.baseSequenceAt)))).to.equal(ErrorCode.INVALID_RECORD);
    expect(rejected(edited(good, (b) => b.writeInt16BE(4, BATCH.attributesAt)), 6)).to.equal(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE);
    expect(rejected(edited(good, (b) => b.writeInt16BE(6, BATCH.attributesAt)))).to.equal(ErrorCode.CORRUPT_MESSAGE);
    expect(rejected(good, 7, good.length - 1)).to.equal(ErrorCode.MESSAGE_TOO_LARGE);
    expect(rejected(edited(good, (b) => b.writeInt32BE(5, BATCH.batchLengthAt)))).to.equal(ErrorCode.CORRUPT_MESSAGE);
  });

  it('rewrites the base offset of a batch inside a larger buffer without touching the bytes around it, and refuses a buffer too short for it', async () => {
    const batch = await kafkajsBatch();
    const whole = Buffer.concat([Buffer.alloc(5, 0xaa), batch, Buffer.alloc(5, 0xbb)]);
    const inside = whole.subarray(5, 5 + batch.length);
    setBaseOffset(inside, -2n);
    expect(readBatchHeader(inside).baseOffset).to.equal(-2n);
    expect(nextOffsetOf(inside)).to.equal(-2n + BigInt(readBatchHeader(inside).lastOffsetDelta) + 1n);
    expect([...whole.subarray(0, 5), ...whole.subarray(5 + batch.length)]).to.deep.equal([...Buffer.alloc(5, 0xaa), ...Buffer.alloc(5, 0xbb)]);
    expect(() => setBaseOffset(whole.subarray(5, 10), 1n)).to.throw(RangeError);
    expect(whole.subarray(5, 13).equals(inside.subarray(0, 8))).to.equal(true);
  });

  it('rewrites base offset and leader epoch outside the CRC, and stamps LogAppendTime with a fresh CRC', async () => {
    const batch = await kafkajsBatch();
    setBaseOffset(batch, 1234n);
    setPartitionLeaderEpoch(batch, 9);
    expect(rejected(batch)).to.equal('ok');
    expect(nextOffsetOf(batch)).to.equal(1237n);
    setLogAppendTime(batch, 1_800_000_000_000n);
    expect(rejected(batch)).to.equal('ok');
    expect(maxTimestampOf(batch)).to.equal(1_800_000_000_000n);
    expect(readBatchHeader(batch)).to.deep.include({
      baseOffset: 1234n, partitionLeaderEpoch: 9, timestampType: 'log-append', maxTimestamp: 1_800_000_000_000n, baseTimestamp: BASE_TS,
    });
  });

  it('iterates the whole batches of a fetched blob and stops at a trailing partial batch, cut anywhere', () => {
    const batches = [0n, 3n, 6n].map((base) => {
      const b = ourBatch();
      setBaseOffset(b, base);
      return b;
    });
    const blob = Buffer.concat(batches);
    expect([...batchesOf(blob)].map((s) => [s.position, s.header.baseOffset])).to.deep.equal([[0, 0n], [batches[0].length, 3n], [batches[0].length * 2, 6n]]);
    for (let cut = 0; cut <= blob.length; cut++) {
      const whole = Math.floor(cut / batches[0].length);
      expect([...batchesOf(blob.subarray(0, cut))].length, `cut at ${cut}`).to.equal(whole);
    }
  });
});

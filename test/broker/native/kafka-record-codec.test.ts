import { expect } from 'chai';
import { kafkaRecordCodec } from '../../../src/broker/native/kafka-record-codec';
import { encodeMessageBatch as encodeRecordBatch } from '../../../src/protocol/native/message-batch';
import type { OutgoingMessage } from '../../../src/protocol/native/messages';
import { UndecodableBatchError } from '../../../src/broker/native/record-codec';
import { testRecordBatchInspector } from './support/record-batch-inspector';

/* eslint-disable @typescript-eslint/no-require-imports */
// kafkajs' own RecordBatch v2 encoder and decoder, as an independent implementation to agree with.
const KafkaDecoder = require('kafkajs/src/protocol/decoder');
const decodeKafkaBatch = require('kafkajs/src/protocol/recordBatch/v0/decoder');
const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0');
const KafkaRecord = require('kafkajs/src/protocol/recordBatch/record/v0');
const { Types: Compression } = require('kafkajs/src/protocol/message/compression');

const MESSAGES: OutgoingMessage[] = [
  { key: Buffer.from('k0'), timestampMs: 1_700_000_000_000n, headers: [{ key: 'h', value: Buffer.from('v') }], payload: Buffer.from('first') },
  { key: null, timestampMs: 1_700_000_000_005n, headers: [], payload: Buffer.alloc(3000, 7) },
  { key: Buffer.from('k2'), timestampMs: 1_699_999_999_999n, headers: [{ key: 'a', value: null }, { key: 'b', value: Buffer.from('2') }], payload: Buffer.alloc(0) },
];

describe('Native messages as Kafka record batches', () => {
  it('writes a batch with a valid CRC-32C and header that kafkajs decodes into the same records', async () => {
    const batch = encodeRecordBatch(MESSAGES);
    const header = testRecordBatchInspector.validate(batch);
    expect(header).to.include({ lastOffsetDelta: 2, recordCount: 3, maxTimestamp: 1_700_000_000_005n, baseTimestamp: 1_699_999_999_999n });
    const decoded = await decodeKafkaBatch(new KafkaDecoder(batch));
    expect(decoded.records.map((r: { offset: string; key: Buffer | null; value: Buffer; timestamp: string; headers: Record<string, Buffer> }) => ({
      offset: r.offset, key: r.key?.toString() ?? null, value: r.value, timestamp: r.timestamp, headers: Object.keys(r.headers),
    }))).to.deep.equal([
      { offset: '0', key: 'k0', value: Buffer.from('first'), timestamp: '1700000000000', headers: ['h'] },
      { offset: '1', key: null, value: Buffer.alloc(3000, 7), timestamp: '1700000000005', headers: [] },
      { offset: '2', key: 'k2', value: Buffer.alloc(0), timestamp: '1699999999999', headers: ['a', 'b'] },
    ]);
  });

  it('reads back exactly what it wrote, offsets from the base offset the log assigned', async () => {
    const batch = encodeRecordBatch(MESSAGES);
    batch.writeBigInt64BE(40n, 0);
    const read = await kafkaRecordCodec.decodeBatches([batch], 3);
    expect(read.map((m) => m.offset)).to.deep.equal([40n, 41n, 42n]);
    expect(read.every((m) => m.partition === 3)).to.equal(true);
    expect(read.map((m) => ({ key: m.key, headers: m.headers, payload: m.payload, publishTimeMs: m.publishTimeMs }))).to.deep.equal(
      MESSAGES.map((m) => ({ key: m.key, headers: m.headers, payload: m.payload, publishTimeMs: m.timestampMs })),
    );
  });

  for (const [name, compression] of [['uncompressed', Compression.None], ['gzip', Compression.GZIP]] as const) {
    it(`reads ${name} batches written by kafkajs, several back to back in one chunk`, async () => {
      const encode = async (first: number) => (await RecordBatch({
        compression, firstOffset: require('kafkajs/src/utils/long').fromInt(first), firstTimestamp: 1000, maxTimestamp: 1001, lastOffsetDelta: 1,
        records: [KafkaRecord({ offsetDelta: 0, key: Buffer.from('a'), value: Buffer.from('x'), headers: { t: Buffer.from('1') } }),
          KafkaRecord({ offsetDelta: 1, timestampDelta: 1, key: null, value: Buffer.from('y') })],
      })).buffer as Buffer;
      const chunk = Buffer.concat([await encode(0), await encode(2)]);
      const read = await kafkaRecordCodec.decodeBatches([chunk], 0);
      expect(read.map((m) => [m.offset, m.key?.toString() ?? null, m.payload.toString(), m.publishTimeMs])).to.deep.equal([
        [0n, 'a', 'x', 1000n], [1n, null, 'y', 1001n], [2n, 'a', 'x', 1000n], [3n, null, 'y', 1001n],
      ]);
      expect(read[0].headers.map((h) => [h.key, h.value?.toString()])).to.deep.equal([['t', '1']]);
    });
  }

  it('uses the batch LogAppendTime as publish time when the topic stamps it', async () => {
    const batch = encodeRecordBatch(MESSAGES.slice(0, 1));
    testRecordBatchInspector.setLogAppendTime(batch, 1_800_000_000_000n);
    const [m] = await kafkaRecordCodec.decodeBatches([batch], 0);
    expect(m.publishTimeMs).to.equal(1_800_000_000_000n);
  });

  it('names the offset of a compressed batch that does not decompress and keeps the batches before it', async () => {
    const good = encodeRecordBatch(MESSAGES);
    const bad = Buffer.from(good);
    bad.writeBigInt64BE(7n, 0);
    bad.writeInt16BE(3, 21); // claims lz4: the record bytes are no LZ4 frame
    const error = await kafkaRecordCodec.decodeBatches([Buffer.concat([good, bad])], 0).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(UndecodableBatchError);
    expect((error as UndecodableBatchError).message).to.match(/^batch at offset 7 does not decode: lz4 /);
    expect((error as UndecodableBatchError).offset).to.equal(7n);
    // The batch before it still decodes, so dispatch can deliver it and stop at offset 7.
    expect((error as UndecodableBatchError).before.map((m) => m.offset)).to.deep.equal([0n, 1n, 2n]);
  });
});

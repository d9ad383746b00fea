/**
 * Hand-built Kafka requests for the idempotence tests: InitProducerId v1 and Produce v3 with
 * one idempotent RecordBatch v2 (reference §6), so a test can replay the very same bytes.
 */
import { crc32c } from '@node-rs/crc32';
import { Socket } from 'node:net';

function zigzag(n: number): number {
  return n >= 0 ? n * 2 : -n * 2 - 1;
}

function varint(n: number): Buffer {
  const out: number[] = [];
  let v = zigzag(n);
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  out.push(v);
  return Buffer.from(out);
}

function str(s: string | null): Buffer {
  if (s === null) return Buffer.from([0xff, 0xff]);
  const b = Buffer.alloc(2 + Buffer.byteLength(s));
  b.writeInt16BE(Buffer.byteLength(s), 0);
  b.write(s, 2);
  return b;
}

const int16 = (n: number) => { const b = Buffer.alloc(2); b.writeInt16BE(n); return b; };
const int32 = (n: number) => { const b = Buffer.alloc(4); b.writeInt32BE(n); return b; };

/** One record with `value`, in an idempotent batch of producerId/epoch starting at baseSequence. */
export function idempotentBatch(producerId: bigint, epoch: number, baseSequence: number, value: string): Buffer {
  const body = Buffer.concat([Buffer.from([0]), varint(0), varint(0), varint(-1), varint(Buffer.byteLength(value)), Buffer.from(value), varint(0)]);
  const record = Buffer.concat([varint(body.length), body]);
  const batch = Buffer.alloc(61 + record.length);
  batch.writeInt32BE(batch.length - 12, 8);
  batch.writeInt32BE(-1, 12);
  batch.writeInt8(2, 16);
  batch.writeBigInt64BE(BigInt(Date.now()), 27);
  batch.writeBigInt64BE(BigInt(Date.now()), 35);
  batch.writeBigInt64BE(producerId, 43);
  batch.writeInt16BE(epoch, 51);
  batch.writeInt32BE(baseSequence, 53);
  batch.writeInt32BE(1, 57);
  record.copy(batch, 61);
  batch.writeUInt32BE(crc32c(batch.subarray(21)) >>> 0, 17);
  return batch;
}

export class RawKafka {
  private buffered = Buffer.alloc(0);
  private waiting: ((frame: Buffer) => void)[] = [];
  private correlationId = 1;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffered = Buffer.concat([this.buffered, chunk]);
      while (this.buffered.length >= 4 && this.buffered.length >= 4 + this.buffered.readInt32BE(0)) {
        const size = this.buffered.readInt32BE(0);
        const frame = this.buffered.subarray(4, 4 + size);
        this.buffered = this.buffered.subarray(4 + size);
        this.waiting.shift()?.(frame);
      }
    });
  }

  static connect(port: number): Promise<RawKafka> {
    return new Promise((resolve, reject) => {
      const socket = new Socket();
      socket.once('error', reject);
      socket.connect(port, '127.0.0.1', () => resolve(new RawKafka(socket)));
    });
  }

  /** Sends one request (header v1) and resolves with the response body after the correlation id. */
  request(apiKey: number, version: number, body: Buffer): Promise<Buffer> {
    const header = Buffer.concat([int16(apiKey), int16(version), int32(this.correlationId++), str('raw-test')]);
    const payload = Buffer.concat([header, body]);
    return new Promise((resolve) => {
      this.waiting.push((frame) => resolve(frame.subarray(4)));
      this.socket.write(Buffer.concat([int32(payload.length), payload]));
    });
  }

  async initProducerId(): Promise<{ errorCode: number; producerId: bigint; epoch: number }> {
    const body = await this.request(22, 1, Buffer.concat([str(null), int32(60_000)]));
    return { errorCode: body.readInt16BE(4), producerId: body.readBigInt64BE(6), epoch: body.readInt16BE(14) };
  }

  /** Produce v3 of one batch to topic-partition; answers the partition's error code and base offset. */
  async produce(topic: string, partition: number, batch: Buffer): Promise<{ errorCode: number; baseOffset: bigint }> {
    const body = Buffer.concat([str(null), int16(-1), int32(10_000), int32(1), str(topic), int32(1), int32(partition), int32(batch.length), batch]);
    const response = await this.request(0, 3, body);
    let at = 4;
    at += 2 + response.readInt16BE(at);
    at += 4 + 4;
    return { errorCode: response.readInt16BE(at), baseOffset: response.readBigInt64BE(at + 2) };
  }

  close(): void {
    this.socket.destroy();
  }
}

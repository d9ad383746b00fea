/** A Kafka client speaking through the protocol codec, for group tests at exact wire versions. */
import { Socket } from 'node:net';
import { decodeResponse, encodeRequest } from '../../src/protocol/kafka/frames';
import { apiSpecByKey } from '../../src/protocol/kafka/messages';
import type { ApiSpec } from '../../src/protocol/kafka/schema';

/** Requests encoded by the protocol codec over a real socket, one at a time. */
export class CodecClient {
  private buffered = Buffer.alloc(0);
  private waiting: ((frame: Buffer) => void) | null = null;
  private correlationId = 1;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffered = Buffer.concat([this.buffered, chunk]);
      if (this.buffered.length >= 4 && this.buffered.length >= 4 + this.buffered.readInt32BE(0)) {
        const frame = this.buffered.subarray(4, 4 + this.buffered.readInt32BE(0));
        this.buffered = this.buffered.subarray(4 + frame.length);
        this.waiting?.(frame);
      }
    });
  }

  static connect(port: number): Promise<CodecClient> {
    return new Promise((resolve, reject) => {
      const socket = new Socket();
      socket.once('error', reject);
      socket.connect(port, '127.0.0.1', () => resolve(new CodecClient(socket)));
    });
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  request(apiKey: number, version: number, body: Record<string, unknown>): Promise<any> {
    const api = apiSpecByKey(apiKey) as ApiSpec;
    const header = { requestApiKey: apiKey, requestApiVersion: version, correlationId: this.correlationId++, clientId: 'wire-test' };
    return new Promise((resolve) => {
      this.waiting = (frame) => resolve(decodeResponse(api, version, frame).body);
      this.socket.write(Buffer.concat(encodeRequest(api, header, body as never)));
    });
  }

  close(): void {
    this.socket.destroy();
  }
}

/**
 * A request-recording Kafka stub on 127.0.0.1 for conformance tests: it answers just enough
 * (ApiVersions, Metadata, Produce, ListOffsets, Fetch, InitProducerId) with this codec for a real
 * client to get through its calls, and keeps every request frame it received.
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { decodeRequest, encodeResponse, encodeUnsupportedApiVersionsResponse, type DecodedRequest } from '../../../../src/protocol/kafka/frames';
import { API_SPECS } from '../../../../src/protocol/kafka/messages';
import { validBounds } from '../../../../src/protocol/kafka/schema';

export interface Captured {
  readonly frame: Buffer;
  readonly request: DecodedRequest;
}

interface AnyTopic {
  name?: string | null;
  topic?: string;
  partitions?: Array<{ partitionIndex?: number; partition?: number }>;
  partitionData?: Array<{ index: number }>;
}
type Topics = AnyTopic[];

export class CaptureStub {
  readonly captured: Captured[] = [];
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();

  constructor(private readonly apiRanges = API_SPECS.map((api) => ({ apiKey: api.apiKey, ...minMax(api.request) }))) {
    this.server = createServer((socket) => this.serve(socket));
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  listen(): Promise<void> {
    return new Promise((resolve) => this.server.listen(0, '127.0.0.1', resolve));
  }

  close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private serve(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    let pending = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 4 && pending.length >= 4 + pending.readInt32BE(0)) {
        const frame = Buffer.from(pending.subarray(4, 4 + pending.readInt32BE(0)));
        pending = pending.subarray(4 + frame.length);
        const reply = this.answer(frame);
        if (reply) for (const part of reply) socket.write(part);
      }
    });
  }

  private answer(frame: Buffer): Buffer[] | null {
    let request: DecodedRequest;
    try {
      request = decodeRequest(frame);
    } catch {
      return encodeUnsupportedApiVersionsResponse(frame.readInt32BE(4), this.apiRanges);
    }
    this.captured.push({ frame, request });
    const { api, header, body } = request;
    const respond = (response: object) => encodeResponse(api, header.requestApiVersion, header.correlationId, response as never);
    const topics = (body.topics ?? body.topicData ?? []) as Topics;
    switch (api.name) {
      case 'ApiVersions': return respond({ apiKeys: this.apiRanges });
      case 'Metadata': return respond(this.metadata(topics));
      case 'InitProducerId': return respond({ producerId: 1000n, producerEpoch: 0 });
      case 'Produce':
        if (body.acks === 0) return null;
        return respond({ responses: topics.map((t) => ({ name: t.name, partitionResponses: t.partitionData!.map((p) => ({ index: p.index, baseOffset: 0n })) })) });
      case 'ListOffsets':
        return respond({ topics: topics.map((t) => ({ name: t.name, partitions: t.partitions!.map((p) => ({ partitionIndex: p.partitionIndex, offset: 0n, timestamp: -1n, oldStyleOffsets: [0n] })) })) });
      case 'Fetch':
        return respond({ responses: topics.map((t) => ({ topic: t.topic, partitions: t.partitions!.map((p) => ({ partitionIndex: p.partition, highWatermark: 0n, lastStableOffset: 0n, logStartOffset: 0n, records: Buffer.alloc(0) })) })) });
      default: return null;
    }
  }

  private metadata(topics: Topics) {
    const names = topics.length > 0 ? topics.map((t) => t.name ?? 't') : ['t'];
    return {
      brokers: [{ nodeId: 1, host: '127.0.0.1', port: this.port }], clusterId: 'capture', controllerId: 1,
      topics: names.map((name) => ({ name, partitions: [{ partitionIndex: 0, leaderId: 1, leaderEpoch: 0, replicaNodes: [1], isrNodes: [1] }] })),
    };
  }
}

function minMax(spec: Parameters<typeof validBounds>[0]) {
  const { min, max } = validBounds(spec);
  return { minVersion: min, maxVersion: max };
}

/**
 * A raw socket speaking native frames, for tests that send what a real client never would.
 */
import { connect as tcpConnect, Socket } from 'node:net';
import { decodeNativeFrame } from '../../../../src/protocol/native/codec';
import { NativeFrameAccumulator } from '../../../../src/protocol/native/frame';
import type { NativeMessage } from '../../../../src/protocol/native/messages';

export class RawClient {
  private readonly frames = new NativeFrameAccumulator(1 << 24);
  private readonly received: Array<{ message: NativeMessage; requestId: number }> = [];
  private waiters: Array<() => void> = [];
  closed = false;

  constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.frames.push(chunk);
      for (let f = this.frames.next(); f; f = this.frames.next()) this.received.push({ message: decodeNativeFrame(f), requestId: f.requestId });
      for (const w of this.waiters.splice(0)) w();
    });
    socket.on('close', () => {
      this.closed = true;
      for (const w of this.waiters.splice(0)) w();
    });
  }

  static async open(address: string): Promise<RawClient> {
    const [host, port] = address.split(':');
    const socket = tcpConnect({ host, port: Number(port) });
    await new Promise((r) => socket.once('connect', r));
    return new RawClient(socket);
  }

  write(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  async next(): Promise<{ message: NativeMessage; requestId: number }> {
    while (this.received.length === 0) {
      if (this.closed) throw new Error('connection closed');
      await new Promise<void>((r) => this.waiters.push(r));
    }
    return this.received.shift()!;
  }

  async waitClosed(): Promise<void> {
    while (!this.closed) await new Promise<void>((r) => this.waiters.push(r));
  }
}

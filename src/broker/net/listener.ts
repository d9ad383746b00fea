/**
 * The one net.Server of a broker. Each accepted socket is held until its first byte arrives,
 * then handed to the protocol that claims that byte. Connections beyond the limit are closed on
 * accept; shutdown stops accepting and lets every connection finish what it already read.
 */
import { AddressInfo, createServer, Server, Socket } from 'node:net';
import { componentLogger } from '../../log';
import { ConnectionHandle, ProtocolRegistry } from './protocols';

const log = componentLogger('listener');

export interface ListenerOptions {
  host: string;
  port: number;
  connectionsMax: number;
  protocols: ProtocolRegistry;
}

export class Listener {
  private readonly server: Server;
  private readonly open = new Map<Socket, ConnectionHandle | null>();
  private closing = false;

  constructor(private readonly options: ListenerOptions) {
    this.server = createServer({ noDelay: true }, (socket) => this.onConnection(socket));
    this.server.on('error', (err) => log.error({ err }, 'listener error'));
  }

  async start(): Promise<AddressInfo> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port, this.options.host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    return this.server.address() as AddressInfo;
  }

  connectionCount(): number {
    return this.open.size;
  }

  /** Stops accepting, then closes every connection gracefully. */
  async close(): Promise<void> {
    this.closing = true;
    const stopped = new Promise<void>((resolve) => this.server.close(() => resolve()));
    const closes: Promise<void>[] = [];
    for (const [socket, handle] of this.open) {
      if (handle) closes.push(handle.close());
      else socket.destroy();
    }
    await Promise.all(closes);
    await stopped;
  }

  private onConnection(socket: Socket): void {
    if (this.closing || this.open.size >= this.options.connectionsMax) {
      log.warn({ remote: socket.remoteAddress, open: this.open.size }, 'connection limit reached, closing new connection');
      socket.destroy();
      return;
    }
    this.open.set(socket, null);
    socket.on('error', (err) => log.debug({ err, remote: socket.remoteAddress }, 'socket error'));
    socket.once('close', () => this.open.delete(socket));
    socket.once('data', (chunk: Buffer) => this.sniff(socket, chunk));
  }

  private sniff(socket: Socket, chunk: Buffer): void {
    socket.pause();
    socket.unshift(chunk);
    const protocol = this.options.protocols.pick(chunk[0]);
    if (socket.destroyed) return;
    this.open.set(socket, protocol.accept(socket));
    // The sniff paused the socket explicitly, and a new 'data' listener does not undo that.
    socket.resume();
  }
}

/**
 * Reads of an accepted socket into buffers the caller chooses. Node has this (`onread`, with a
 * buffer or a function giving the next buffer) for sockets it creates, but not for a server's
 * accepted ones; its net.Socket keeps the hook in three symbol-keyed fields that onread fills,
 * found here on a socket made with onread. Where they are missing (another Node), nothing
 * changes and the connection keeps 'data' events.
 *
 * In this mode the socket emits no 'data'; pause() and resume() stop and restart reading, and
 * 'end' and 'close' behave as before.
 */
import { Socket, type SocketConstructorOpts } from 'node:net';

interface ReadHooks {
  buffer: symbol;
  callback: symbol;
  generator: symbol;
}

function findHooks(): ReadHooks | null {
  // @types/node lists onread only among connect() options; the constructor takes it too.
  const probe = new Socket({ onread: { buffer: Buffer.alloc(1), callback: () => true } } as SocketConstructorOpts);
  const named = (description: string) => Object.getOwnPropertySymbols(probe).find((s) => s.description === description);
  const buffer = named('kBuffer');
  const callback = named('kBufferCb');
  const generator = named('kBufferGen');
  probe.destroy();
  return buffer && callback && generator ? { buffer, callback, generator } : null;
}

const hooks = findHooks();

interface HandleWithUserBuffer {
  useUserBuffer?: (buf: Buffer) => void;
}

/**
 * Switches `socket` to reading into `target()` (called before every read) and calling
 * `landed(bytes)` after each. Bytes the socket had already buffered are emitted first as
 * 'data', as usual. Call it while the socket is paused, from the code that will resume it.
 * Returns false, changing nothing, where this Node offers no such hook.
 */
export function readIntoTargets(socket: Socket, target: () => Buffer, landed: (bytes: number) => void): boolean {
  const handle = (socket as unknown as { _handle?: HandleWithUserBuffer | null })._handle;
  if (!hooks || !handle || typeof handle.useUserBuffer !== 'function') return false;
  while (socket.read() !== null);
  const fields = socket as unknown as Record<symbol, unknown>;
  const first = target();
  fields[hooks.buffer] = first;
  fields[hooks.generator] = target;
  fields[hooks.callback] = (bytes: number) => {
    landed(bytes);
    return true;
  };
  handle.useUserBuffer(first);
  return true;
}

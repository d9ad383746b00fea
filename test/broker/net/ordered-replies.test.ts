import { expect } from 'chai';
import type { Socket } from 'node:net';
import { OrderedReplies } from '../../../src/broker/net/ordered-replies';

/** The socket surface OrderedReplies uses: writes are recorded, with the cork depth at each. */
function recordingSocket() {
  const writes: string[] = [];
  let corks = 0;
  const socket = {
    writableLength: 0,
    cork: () => void corks++,
    uncork: () => void corks--,
    write: (chunk: Buffer) => writes.push(`${chunk.toString()}${corks > 0 ? '' : '(uncorked)'}`),
  };
  return { socket: socket as unknown as Socket & { writableLength: number }, writes };
}

describe('Ordered replies of one connection', () => {
  const limits = { inFlightRequestsMax: 3, inFlightBytesMax: 100, pendingWriteBytesMax: 50 };

  it('writes replies completed out of order in request order, skipping requests without a reply', () => {
    const { socket, writes } = recordingSocket();
    const replies = new OrderedReplies(socket, limits);
    const [a, b, c, d] = [1, 1, 1, 1].map((n) => replies.take(n));
    replies.complete(c, [Buffer.from('c')]);
    replies.complete(b, null);
    expect(writes).to.deep.equal([]);
    replies.complete(a, [Buffer.from('a1'), Buffer.from('a2')]);
    expect(writes).to.deep.equal(['a1', 'a2', 'c']);
    expect(replies.idle()).to.equal(false);
    replies.complete(d, [Buffer.from('d')]);
    // A lone one-chunk reply has nothing to be batched with: it is written without corking.
    expect(writes).to.deep.equal(['a1', 'a2', 'c', 'd(uncorked)']);
    expect(replies.idle()).to.equal(true);
  });

  it('corks every reply ready at once, and every reply of several chunks, into one write', () => {
    const { socket, writes } = recordingSocket();
    const replies = new OrderedReplies(socket, limits);
    const [a, b, c] = [1, 1, 1].map((n) => replies.take(n));
    replies.complete(b, [Buffer.from('b')]);
    replies.complete(a, [Buffer.from('a')]);
    expect(writes).to.deep.equal(['a', 'b']);
    replies.complete(c, [Buffer.from('c1'), Buffer.from('c2')]);
    expect(writes).to.deep.equal(['a', 'b', 'c1', 'c2']);
  });

  it('is over its limits at the request count, the in-flight bytes or the unflushed bytes', () => {
    const { socket } = recordingSocket();
    const replies = new OrderedReplies(socket, limits);
    const slots = [replies.take(10), replies.take(10)];
    expect(replies.overLimits()).to.equal(false);
    const third = replies.take(10);
    expect(replies.overLimits()).to.equal(true);
    replies.complete(slots[0], null);
    expect(replies.overLimits()).to.equal(false);
    replies.take(90);
    expect(replies.overLimits()).to.equal(true);
    replies.clear();
    expect(replies.overLimits()).to.equal(false);
    socket.writableLength = 50;
    expect(replies.overLimits()).to.equal(true);
    replies.complete(third, [Buffer.from('late')]);
    expect(replies.idle()).to.equal(true);
  });
});

/**
 * Size-prefixed framing (Kafka: `int32 size | size bytes`), as a pure function with three
 * outcomes (CONVENTIONS §3): a whole frame, "need more bytes", or an error. An oversize or
 * negative size is rejected from the 4-byte prefix alone, before anything is buffered.
 */

export const SIZE_PREFIX_BYTES = 4;

export type FrameError =
  | { reason: 'negative-size'; size: number }
  | { reason: 'too-large'; size: number; frameBytesMax: number };

export type FrameResult =
  | { kind: 'frame'; frame: Buffer; consumedBytes: number }
  /** totalBytes: bytes needed from the start of `buf` before the next call can make progress. */
  | { kind: 'need'; totalBytes: number }
  | { kind: 'error'; error: FrameError };

export function splitFrame(buf: Buffer, frameBytesMax: number): FrameResult {
  if (buf.length < SIZE_PREFIX_BYTES) return { kind: 'need', totalBytes: SIZE_PREFIX_BYTES };
  const size = buf.readInt32BE(0);
  if (size < 0) return { kind: 'error', error: { reason: 'negative-size', size } };
  if (size > frameBytesMax) return { kind: 'error', error: { reason: 'too-large', size, frameBytesMax } };
  const total = SIZE_PREFIX_BYTES + size;
  if (buf.length < total) return { kind: 'need', totalBytes: total };
  return { kind: 'frame', frame: buf.subarray(SIZE_PREFIX_BYTES, total), consumedBytes: total };
}

export function describeFrameError(error: FrameError): string {
  return error.reason === 'too-large'
    ? `frame of ${error.size} bytes exceeds the limit of ${error.frameBytesMax}`
    : `negative frame size ${error.size}`;
}

/**
 * Collects socket chunks and yields frames. A frame inside one chunk is a zero-copy subarray;
 * a frame spanning chunks is copied once, when its last byte arrives, so a large request split
 * over many chunks costs O(size), not O(size²).
 */
export class FrameAccumulator {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private needed = SIZE_PREFIX_BYTES;

  constructor(private readonly frameBytesMax: number) {}

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
  }

  /** Bytes received but not yet returned as frames. */
  bufferedBytes(): number {
    return this.buffered;
  }

  /** The next whole frame, null when more bytes are needed; a FrameError is thrown as FramingError. */
  next(): Buffer | null {
    if (this.buffered < this.needed) return null;
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks, this.buffered)];
    const head = this.chunks[0];
    const result = splitFrame(head, this.frameBytesMax);
    if (result.kind === 'error') throw new FramingError(result.error);
    if (result.kind === 'need') {
      this.needed = result.totalBytes;
      return null;
    }
    this.needed = SIZE_PREFIX_BYTES;
    this.buffered -= result.consumedBytes;
    this.chunks = this.buffered === 0 ? [] : [head.subarray(result.consumedBytes)];
    return result.frame;
  }
}

export class FramingError extends Error {
  constructor(readonly detail: FrameError) {
    super(describeFrameError(detail));
    this.name = 'FramingError';
  }
}

/**
 * Size-prefixed framing (Kafka: `int32 size | size bytes`), as a pure function with three
 * outcomes (CONVENTIONS §3): a whole frame, "need more bytes", or an error. An oversize or
 * negative size is rejected from the 4-byte prefix alone, before anything is buffered.
 */

export const SIZE_PREFIX_BYTES = 4;

export type FrameError =
  | { reason: 'negative-size'; size: number }
  | { reason: 'too-large'; size: number; frameBytesMax: number };

/** For 'need', totalBytes is how many bytes from the start of `buf` the next call needs to progress. */
export type FrameResult = SplitResult<Buffer, FrameError>;

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

/** The outcome of any splitter: a frame, "need more bytes", or an error. */
export type SplitResult<F, E> =
  | { kind: 'frame'; frame: F; consumedBytes: number }
  | { kind: 'need'; totalBytes: number }
  | { kind: 'error'; error: E };

/**
 * Collects socket chunks and yields frames of any size-prefixed protocol (Kafka here; the
 * native protocol can reuse it with its own splitter). A frame inside one chunk is a zero-copy
 * subarray; a frame spanning chunks is copied once, when its last byte arrives, so a large
 * request split over many chunks costs O(size), not O(size²).
 */
export class ChunkAccumulator<F, E> {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private needed: number;

  constructor(
    private readonly split: (buf: Buffer) => SplitResult<F, E>,
    private readonly toError: (error: E) => Error,
    private readonly minimumBytes: number,
  ) {
    this.needed = minimumBytes;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
  }

  /** Bytes received but not yet returned as frames. */
  bufferedBytes(): number {
    return this.buffered;
  }

  /** The next whole frame, or null when more bytes are needed; a split error is thrown. */
  next(): F | null {
    if (this.buffered < this.needed) return null;
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks, this.buffered)];
    const head = this.chunks[0];
    const result = this.split(head);
    if (result.kind === 'error') throw this.toError(result.error);
    if (result.kind === 'need') {
      this.needed = result.totalBytes;
      return null;
    }
    this.needed = this.minimumBytes;
    this.buffered -= result.consumedBytes;
    this.chunks = this.buffered === 0 ? [] : [head.subarray(result.consumedBytes)];
    return result.frame;
  }
}

/** Kafka request frames: the bytes after the size prefix. */
export class FrameAccumulator extends ChunkAccumulator<Buffer, FrameError> {
  constructor(frameBytesMax: number) {
    super((buf) => splitFrame(buf, frameBytesMax), (error) => new FramingError(error), SIZE_PREFIX_BYTES);
  }
}

export class FramingError extends Error {
  constructor(readonly detail: FrameError) {
    super(describeFrameError(detail));
    this.name = 'FramingError';
  }
}

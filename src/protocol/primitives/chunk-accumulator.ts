/**
 * Frame accumulation shared by every length-prefixed protocol: splitting stays a pure function
 * (CONVENTIONS §3); this class only buffers socket chunks around it.
 */

/** The outcome of any splitter: a frame, "need more bytes", or an error. */
export type SplitResult<F, E> =
  | { kind: 'frame'; frame: F; consumedBytes: number }
  | { kind: 'need'; totalBytes: number }
  | { kind: 'error'; error: E };

/**
 * Collects socket chunks and yields frames of any length-prefixed protocol, given its pure
 * splitter (Kafka framing in src/broker/net/framing.ts, native framing in
 * src/protocol/native/frame.ts). A frame inside one chunk is a zero-copy
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

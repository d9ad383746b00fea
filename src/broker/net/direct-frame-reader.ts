/**
 * Kafka request frames read with no intermediate copy for large ones. Socket reads land in a
 * reused scratch buffer; small frames are copied out of it whole. A frame that cannot fit in
 * the scratch gets its own buffer as soon as its size prefix is known, and the rest of its
 * bytes are read straight into that buffer. Compared with Node's 'data' events (a fresh buffer
 * per read, then one join of a large request), a 1 MB produce is written once instead of twice
 * and allocates half the external memory whose growth starts V8's mark-compacts.
 *
 * Framing stays the pure `splitFrame` (size check from the 4-byte prefix, before anything is
 * allocated); frames read before a bad prefix are still handed out, then the error is thrown.
 * A frame's own buffer is at most `upfrontBytesMax` until that much has arrived, then doubles
 * as bytes come: a client declaring a huge request and sending nothing costs nothing.
 */
import { FramingError, splitFrame, SIZE_PREFIX_BYTES } from './framing';

export class DirectFrameReader {
  private readonly scratch: Buffer;
  /** Bytes at the start of `scratch` not yet handed out (a partial frame or prefix). */
  private filled = 0;
  /** The body of a frame larger than the scratch, read into directly. */
  private large: Buffer | null = null;
  private largeFilled = 0;
  /** The body size of the frame `large` holds (its capacity grows to this). */
  private largeBytes = 0;
  private readonly ready: Buffer[] = [];
  private failure: Error | null = null;

  constructor(private readonly frameBytesMax: number, scratchBytes: number, private readonly upfrontBytesMax: number) {
    this.scratch = Buffer.allocUnsafe(scratchBytes);
  }

  /** Where the next socket read should land (never empty). */
  target(): Buffer {
    return this.large ? this.large.subarray(this.largeFilled) : this.scratch.subarray(this.filled);
  }

  /** `bytes` bytes were read into the buffer target() returned. */
  landed(bytes: number): void {
    if (this.failure) return;
    if (this.large) {
      this.largeFilled += bytes;
      if (this.largeFilled < this.large.length) return;
      if (this.largeFilled === this.largeBytes) {
        this.ready.push(this.large);
        this.large = null;
      } else {
        this.growLarge(Math.min(this.largeBytes, this.large.length * 2));
      }
      return;
    }
    this.filled += bytes;
    this.split();
  }

  /** Bytes read some other way (before the socket switched to direct reads). */
  push(chunk: Buffer): void {
    let at = 0;
    while (at < chunk.length && !this.failure) {
      const into = this.target();
      const n = Math.min(into.length, chunk.length - at);
      chunk.copy(into, 0, at, at + n);
      at += n;
      this.landed(n);
    }
  }

  /** Bytes received that are not part of a whole frame yet. */
  bufferedBytes(): number {
    return this.filled + (this.large ? this.largeFilled : 0);
  }

  /** The next whole frame, null when more bytes are needed; the framing error once none is left before it. */
  next(): Buffer | null {
    if (this.ready.length > 0) return this.ready.shift()!;
    if (this.failure) throw this.failure;
    return null;
  }

  private split(): void {
    let pos = 0;
    for (;;) {
      const result = splitFrame(this.scratch.subarray(pos, this.filled), this.frameBytesMax);
      if (result.kind === 'frame') {
        // The scratch is reused by the next read: the frame gets its own copy.
        this.ready.push(Buffer.from(result.frame));
        pos += result.consumedBytes;
        continue;
      }
      if (result.kind === 'error') {
        this.failure = new FramingError(result.error);
      } else if (result.totalBytes > this.scratch.length) {
        this.startLarge(pos, result.totalBytes - SIZE_PREFIX_BYTES);
        pos = this.filled;
      }
      break;
    }
    if (pos > 0) {
      this.scratch.copyWithin(0, pos, this.filled);
      this.filled -= pos;
    }
  }

  /** A frame bigger than the scratch: its own buffer, holding what the scratch already has of it. */
  private startLarge(pos: number, bodyBytes: number): void {
    const have = this.filled - pos - SIZE_PREFIX_BYTES;
    const body = this.allocate(Math.min(bodyBytes, Math.max(this.upfrontBytesMax, have)));
    if (body === null) return;
    this.scratch.copy(body, 0, pos + SIZE_PREFIX_BYTES, this.filled);
    this.large = body;
    this.largeFilled = have;
    this.largeBytes = bodyBytes;
  }

  private growLarge(capacity: number): void {
    const bigger = this.allocate(capacity);
    if (bigger === null) return;
    this.large!.copy(bigger, 0, 0, this.largeFilled);
    this.large = bigger;
  }

  private allocate(bytes: number): Buffer | null {
    try {
      return Buffer.allocUnsafe(bytes);
    } catch (err) {
      // Out of memory for a size within frameBytesMax: this connection fails, not the broker.
      this.failure = err as Error;
      this.large = null;
      return null;
    }
  }
}

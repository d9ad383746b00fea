/**
 * Native framing (docs/native-protocol.md §1):
 *
 *   magic u8 (0xB7) | length u32 | type u8 | requestId u32 | body (length - 5 bytes)
 *
 * A Kafka request starts with an int32 size whose first byte is below 0x80 for any frame under
 * 2 GiB (0x00 under 16 MiB), so a first byte of 0xB7 can never begin a Kafka connection: one
 * listener serves both protocols. Splitting is a pure function with three outcomes (CONVENTIONS §3);
 * an oversize length is refused from the 5-byte prefix before anything is buffered.
 */

export const NATIVE_MAGIC = 0xb7;
/** magic + length */
export const NATIVE_PREFIX_BYTES = 5;
/** type + requestId, counted in `length` */
export const NATIVE_HEADER_BYTES = 5;

export interface NativeFrame {
  type: number;
  requestId: number;
  body: Buffer;
}

export type NativeFrameError =
  | { reason: 'bad-magic'; magic: number }
  | { reason: 'too-short'; length: number }
  | { reason: 'too-large'; length: number; frameBytesMax: number };

export type NativeSplitResult =
  | { kind: 'frame'; frame: NativeFrame; consumedBytes: number }
  | { kind: 'need'; totalBytes: number }
  | { kind: 'error'; error: NativeFrameError };

export function splitNativeFrame(buf: Buffer, frameBytesMax: number): NativeSplitResult {
  if (buf.length >= 1 && buf[0] !== NATIVE_MAGIC) return { kind: 'error', error: { reason: 'bad-magic', magic: buf[0] } };
  if (buf.length < NATIVE_PREFIX_BYTES) return { kind: 'need', totalBytes: NATIVE_PREFIX_BYTES };
  const length = buf.readUInt32BE(1);
  if (length < NATIVE_HEADER_BYTES) return { kind: 'error', error: { reason: 'too-short', length } };
  if (length > frameBytesMax) return { kind: 'error', error: { reason: 'too-large', length, frameBytesMax } };
  const total = NATIVE_PREFIX_BYTES + length;
  if (buf.length < total) return { kind: 'need', totalBytes: total };
  const frame: NativeFrame = {
    type: buf[5],
    requestId: buf.readUInt32BE(6),
    body: buf.subarray(NATIVE_PREFIX_BYTES + NATIVE_HEADER_BYTES, total),
  };
  return { kind: 'frame', frame, consumedBytes: total };
}

export function describeNativeFrameError(error: NativeFrameError): string {
  switch (error.reason) {
    case 'bad-magic':
      return `frame starts with 0x${error.magic.toString(16).padStart(2, '0')}, not the native magic 0xb7`;
    case 'too-short':
      return `frame length ${error.length} is shorter than the 5-byte header`;
    case 'too-large':
      return `frame of ${error.length} bytes exceeds the limit of ${error.frameBytesMax}`;
  }
}

/**
 * Collects socket chunks and yields frames; a frame spanning chunks is copied once, when its
 * last byte arrives. Errors are thrown as NativeFramingError.
 */
export class NativeFrameAccumulator {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private needed = 1;

  constructor(private readonly frameBytesMax: number) {}

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
  }

  bufferedBytes(): number {
    return this.buffered;
  }

  next(): NativeFrame | null {
    if (this.buffered < this.needed) return null;
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks, this.buffered)];
    const head = this.chunks[0];
    const result = splitNativeFrame(head, this.frameBytesMax);
    if (result.kind === 'error') throw new NativeFramingError(result.error);
    if (result.kind === 'need') {
      this.needed = result.totalBytes;
      return null;
    }
    this.needed = 1;
    this.buffered -= result.consumedBytes;
    this.chunks = this.buffered === 0 ? [] : [head.subarray(result.consumedBytes)];
    return result.frame;
  }
}

export class NativeFramingError extends Error {
  constructor(readonly detail: NativeFrameError) {
    super(describeNativeFrameError(detail));
    this.name = 'NativeFramingError';
  }
}

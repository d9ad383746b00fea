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

import { ChunkAccumulator, SplitResult } from '../primitives/chunk-accumulator';

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

export type NativeSplitResult = SplitResult<NativeFrame, NativeFrameError>;

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

/** Native frames from socket chunks; errors are thrown as NativeFramingError. */
export class NativeFrameAccumulator extends ChunkAccumulator<NativeFrame, NativeFrameError> {
  constructor(frameBytesMax: number) {
    super((buf) => splitNativeFrame(buf, frameBytesMax), (error) => new NativeFramingError(error), 1);
  }
}

export class NativeFramingError extends Error {
  constructor(readonly detail: NativeFrameError) {
    super(describeNativeFrameError(detail));
    this.name = 'NativeFramingError';
  }
}

/**
 * Size-prefixed framing (Kafka: `int32 size | size bytes`), as a pure function with three
 * outcomes (CONVENTIONS §3): a whole frame, "need more bytes", or an error. An oversize or
 * negative size is rejected from the 4-byte prefix alone, before anything is buffered.
 */

import type { SplitResult } from '../../protocol/primitives/chunk-accumulator';

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

export class FramingError extends Error {
  constructor(readonly detail: FrameError) {
    super(describeFrameError(detail));
    this.name = 'FramingError';
  }
}

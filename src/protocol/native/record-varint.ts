/**
 * Unsigned base-128 varints as RecordBatch v2 records carry them (the caller zigzags: records
 * hold only non-negative lengths and deltas here, so zigzag is `2 * n`). Plain numbers rather
 * than the Writer's, because both record encoders write into one preallocated buffer at a
 * position they track themselves.
 */

/** Bytes of the varint of `u` (a non-negative safe integer, already zigzagged). */
export function varBytes(u: number): number {
  if (u < 0x80) return 1;
  if (u < 0x4000) return 2;
  let n = 1;
  for (; u >= 0x80; u = Math.floor(u / 0x80)) n++;
  return n;
}

/** Writes the varint of `u` at `at`; returns the position after it. */
export function writeVar(b: Buffer, at: number, u: number): number {
  while (u >= 0x80) {
    b[at++] = (u % 0x80) | 0x80;
    u = Math.floor(u / 0x80);
  }
  b[at] = u;
  return at + 1;
}

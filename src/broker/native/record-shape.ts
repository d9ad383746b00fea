/**
 * The shape of the records in a SEND_BATCH, checked without decoding them (no buffer, object or
 * string per record): each record's fields fit its length prefix exactly (records.ts layout) and
 * its offsetDelta is its index. Native dispatch decodes every stored record and computes each
 * message's offset as baseOffset + offsetDelta, so a batch that passes here always decodes and
 * never gives two messages one offset: a native producer cannot stop a subscription's dispatch.
 */
const NOT_VARINT = -1;

/** Position after the zigzag varlong at `at` (at most 10 bytes, below 2^64 as Reader.readVarLong requires), or NOT_VARINT. */
function skipVarlong(b: Buffer, at: number, end: number): number {
  for (let n = 0; n < 10 && at < end; n++) {
    const byte = b[at++];
    if (n === 9 && byte > 0x01) return NOT_VARINT;
    if (byte < 0x80) return at;
  }
  return NOT_VARINT;
}

let value = 0;
/** Reads a zigzag varint (at most 5 bytes, int32) into `value`; returns the next position or NOT_VARINT. */
function readVarint(b: Buffer, at: number, end: number): number {
  if (at >= end) return NOT_VARINT;
  let byte = b[at++];
  if (byte < 0x80) {
    value = (byte >>> 1) ^ -(byte & 1);
    return at;
  }
  let raw = byte & 0x7f;
  for (let shift = 7; shift <= 28 && at < end; shift += 7) {
    byte = b[at++];
    // As Reader.readUnsignedVarInt: the fifth byte holds the last 4 bits of 32.
    if (shift === 28 && byte > 0x0f) return NOT_VARINT;
    raw |= (byte & 0x7f) << shift;
    if (byte < 0x80) {
      value = (raw >>> 1) ^ -(raw & 1);
      return at;
    }
  }
  return NOT_VARINT;
}

/** Skips a varint length and that many bytes; -1 (null) allowed when `nullable`. */
function skipSized(b: Buffer, at: number, end: number, nullable: boolean): number {
  at = readVarint(b, at, end);
  if (at === NOT_VARINT || value < (nullable ? -1 : 0)) return NOT_VARINT;
  const length = value < 0 ? 0 : value;
  return at + length > end ? NOT_VARINT : at + length;
}

/** Null when the `count` records of `area` are well formed, else why not (with the record index). */
export function recordShapeProblem(area: Buffer, count: number): string | null {
  let at = 0;
  for (let i = 0; i < count; i++) {
    at = readVarint(area, at, area.length);
    if (at === NOT_VARINT || value < 1 || at + value > area.length) return `record ${i} has no valid length`;
    const end = at + value;
    at = skipVarlong(area, at + 1, end);
    if (at === NOT_VARINT) return `record ${i} has no valid timestamp delta`;
    at = readVarint(area, at, end);
    if (at === NOT_VARINT || value !== i) return `record ${i} has offset delta ${at === NOT_VARINT ? 'missing' : value}, not ${i}`;
    at = skipSized(area, at, end, true);
    if (at !== NOT_VARINT) at = skipSized(area, at, end, true);
    if (at === NOT_VARINT) return `record ${i} has a key or value that does not fit`;
    at = readVarint(area, at, end);
    if (at === NOT_VARINT || value < 0) return `record ${i} has no valid header count`;
    for (let h = value; h > 0 && at !== NOT_VARINT; h--) {
      at = skipSized(area, at, end, false);
      if (at !== NOT_VARINT) at = skipSized(area, at, end, true);
    }
    if (at !== end) return `record ${i}'s fields do not fill its length`;
  }
  return at === area.length ? null : `${area.length - at} bytes follow the last record`;
}

/**
 * The index of one multi-partition object: for each partition range it holds, the offsets it
 * covers and where its bytes sit, split into frame-aligned blocks so a reader fetches one block
 * per range read. The same index is written into the object's footer (objects describe
 * themselves) and into the object's descriptor in the MetadataStore (readers skip a round trip).
 * JSON on the wire with offsets as decimal strings (int64 stays exact).
 */
import { TierCorruptError } from './tier-errors';

export interface BlockEntry {
  baseOffset: bigint;
  /** Offset after the last batch of the block. */
  endOffset: bigint;
  /** Byte position in the object. */
  position: number;
  bytes: number;
  maxTimestampMs: bigint;
}

export interface ObjectRange {
  topic: string;
  partition: number;
  leaderEpoch: number;
  baseOffset: bigint;
  endOffset: bigint;
  maxTimestampMs: bigint;
  position: number;
  bytes: number;
  blocks: BlockEntry[];
}

export interface ObjectIndex {
  /**
   * CRC-32C over every frame header in object order. Each header carries its frame's CRC of
   * the batch bytes, so this checksums the whole data section transitively at 1/1000 of the
   * cost of a pass over the data (it runs on the broker's thread at every upload).
   */
  framesCrc32c: number;
  ranges: ObjectRange[];
}

type Json = Record<string, unknown>;

export function rangeToJson(range: ObjectRange): Json {
  return {
    topic: range.topic, partition: range.partition, leaderEpoch: range.leaderEpoch,
    baseOffset: String(range.baseOffset), endOffset: String(range.endOffset), maxTimestampMs: String(range.maxTimestampMs),
    position: range.position, bytes: range.bytes,
    blocks: range.blocks.map((b) => [String(b.baseOffset), String(b.endOffset), b.position, b.bytes, String(b.maxTimestampMs)]),
  };
}

export function rangeFromJson(json: unknown, where: string): ObjectRange {
  const j = json as Json;
  const blocks = Array.isArray(j?.blocks) ? j.blocks : fail(where, 'blocks missing');
  const range: ObjectRange = {
    topic: str(j.topic, where), partition: int(j.partition, where), leaderEpoch: int(j.leaderEpoch, where),
    baseOffset: big(j.baseOffset, where), endOffset: big(j.endOffset, where), maxTimestampMs: big(j.maxTimestampMs, where),
    position: int(j.position, where), bytes: int(j.bytes, where),
    blocks: blocks.map((b: unknown) => {
      if (!Array.isArray(b) || b.length !== 5) fail(where, 'bad block entry');
      const [base, end, position, bytes, ts] = b as unknown[];
      return { baseOffset: big(base, where), endOffset: big(end, where), position: int(position, where), bytes: int(bytes, where), maxTimestampMs: big(ts, where) };
    }),
  };
  if (range.endOffset <= range.baseOffset || range.blocks.length === 0) fail(where, `empty range ${range.baseOffset}..${range.endOffset}`);
  return range;
}

export function indexToJson(index: ObjectIndex): Json {
  return { framesCrc32c: index.framesCrc32c, ranges: index.ranges.map(rangeToJson) };
}

export function indexFromJson(json: unknown, where: string): ObjectIndex {
  const j = json as Json;
  if (!Array.isArray(j?.ranges)) fail(where, 'ranges missing');
  return { framesCrc32c: int(j.framesCrc32c, where), ranges: (j.ranges as unknown[]).map((r) => rangeFromJson(r, where)) };
}

function fail(where: string, reason: string): never {
  throw new TierCorruptError(where, reason);
}

function str(v: unknown, where: string): string {
  return typeof v === 'string' ? v : fail(where, `expected a string, got ${typeof v}`);
}

function int(v: unknown, where: string): number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : fail(where, `expected a non-negative integer, got ${String(v)}`);
}

function big(v: unknown, where: string): bigint {
  return typeof v === 'string' && /^-?\d+$/.test(v) ? BigInt(v) : fail(where, `expected an integer string, got ${String(v)}`);
}

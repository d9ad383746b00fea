import { crc32c } from '@node-rs/crc32';
import type { Change, CommitRecord } from './kv-state';

/**
 * Frames of the embedded transaction log: [u32 payloadLength][u32 crc32c(payload)][payload],
 * payload = JSON of one commit record. A frame that is short or fails its CRC ends the log
 * (a torn tail from a crash mid-write); recovery truncates there.
 */
const HEADER_BYTES = 8;

type StoredChange = ['p', string, string, string | null] | ['d', string];

export function encodeRecord(record: CommitRecord): Buffer {
  const changes: StoredChange[] = record.changes.map((change) =>
    change.type === 'put' ? ['p', change.key, change.value, change.leaseId ?? null] : ['d', change.key]);
  const payload = Buffer.from(JSON.stringify({ r: record.revision.toString(), c: changes }));
  const frame = Buffer.allocUnsafe(HEADER_BYTES + payload.length);
  frame.writeUInt32BE(payload.length, 0);
  frame.writeUInt32BE(crc32c(payload), 4);
  payload.copy(frame, HEADER_BYTES);
  return frame;
}

export interface DecodedLog {
  records: CommitRecord[];
  /** Bytes of whole, valid frames; anything after is a torn tail. */
  validBytes: number;
}

export function decodeLog(bytes: Buffer): DecodedLog {
  const records: CommitRecord[] = [];
  let position = 0;
  while (position + HEADER_BYTES <= bytes.length) {
    const length = bytes.readUInt32BE(position);
    const end = position + HEADER_BYTES + length;
    if (end > bytes.length) break;
    const payload = bytes.subarray(position + HEADER_BYTES, end);
    if (crc32c(payload) !== bytes.readUInt32BE(position + 4)) break;
    records.push(decodePayload(payload));
    position = end;
  }
  return { records, validBytes: position };
}

function decodePayload(payload: Buffer): CommitRecord {
  const parsed = JSON.parse(payload.toString('utf8')) as { r: string; c: StoredChange[] };
  const changes: Change[] = parsed.c.map((stored) =>
    stored[0] === 'p'
      ? { type: 'put', key: stored[1], value: stored[2], ...(stored[3] !== null ? { leaseId: stored[3] } : {}) }
      : { type: 'delete', key: stored[1] });
  return { revision: BigInt(parsed.r), changes };
}

/**
 * Turning user values into payload bytes and back, by schema type: Buffers pass through,
 * strings are UTF-8, int64 values are 8 bytes big-endian, anything else is JSON.
 */
import type { SchemaType } from '../protocol/native/messages';

export type Value = Buffer | Uint8Array | string | bigint | number | boolean | null | object;

export function encodeValue(value: Value, schema: SchemaType): Buffer {
  if (Buffer.isBuffer(value)) return value;
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (schema === 'int64' && (typeof value === 'bigint' || typeof value === 'number')) {
    const b = Buffer.alloc(8);
    b.writeBigInt64BE(BigInt(value));
    return b;
  }
  if (typeof value === 'string' && schema !== 'json') return Buffer.from(value, 'utf8');
  return Buffer.from(JSON.stringify(value), 'utf8');
}

export function decodeValue(payload: Buffer, schema: SchemaType): unknown {
  switch (schema) {
    case 'bytes':
      return payload;
    case 'string':
      return payload.toString('utf8');
    case 'int64':
      return payload.readBigInt64BE(0);
    case 'json':
      return JSON.parse(payload.toString('utf8'));
  }
}

export function toBuffer(value: string | Buffer | Uint8Array): Buffer {
  if (typeof value === 'string') return Buffer.from(value, 'utf8');
  return Buffer.isBuffer(value) ? value : Buffer.from(value);
}

/**
 * Hostile-but-well-formed Kafka requests: every field of a described request filled from a
 * small set of edge values (0, -1, extremes, empty and oversized strings, names of internal or
 * invalid topics, short random byte strings as record batches), so the frames decode and reach
 * the handlers. Deterministic for a seed.
 */
import { encodeRequest } from '../../../src/protocol/kafka/frames';
import { API_SPECS } from '../../../src/protocol/kafka/messages';
import { type FieldSpec, inVersions, validBounds } from '../../../src/protocol/kafka/schema';

export class FuzzRandom {
  constructor(private state: number) {}

  next(): number {
    this.state = (this.state * 1103515245 + 12345) & 0x7fffffff;
    return this.state / 0x7fffffff;
  }

  pick<T>(values: readonly T[]): T {
    return values[Math.floor(this.next() * values.length)];
  }
}

const TOPIC_NAMES = ['fz', 'fz2', '', '__consumer_offsets', 'x'.repeat(300), 'a/b', 'fz'];
const OTHER_STRINGS = ['', 'g', 'fz-group', 'x'.repeat(1000), 'range', 'consumer', 'ü', 'member-1'];

function primitive(random: FuzzRandom, kind: string, name: string): unknown {
  switch (kind) {
    case 'int8': return random.pick([0, 1, -1, 127, -128, 2, 3]);
    case 'int16': return random.pick([0, 1, -1, 32767, -32768, 2, 3, 35]);
    case 'int32': return random.pick([0, 1, -1, 2147483647, -2147483648, 2, 100, 1000000, 5000]);
    case 'uint16': return random.pick([0, 1, 65535]);
    case 'uint32': return random.pick([0, 1, 4294967295]);
    case 'int64': return random.pick([0n, 1n, -1n, -2n, 9223372036854775807n, -9223372036854775808n, 5n, 1000n]);
    case 'float64': return random.pick([0, 1.5, -1, NaN, Infinity]);
    case 'bool': return random.next() < 0.5;
    case 'string': return random.pick(/topic|name/i.test(name) ? TOPIC_NAMES : OTHER_STRINGS);
    case 'uuid': return random.pick(['00000000-0000-0000-0000-000000000000', '12345678-0000-4000-8000-00000000000a', 'ffffffff-ffff-ffff-ffff-ffffffffffff']);
    default: {
      const bytes = Buffer.alloc(random.pick([0, 1, 4, 61, 200]));
      for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(random.next() * 256);
      return bytes;
    }
  }
}

function struct(random: FuzzRandom, fields: readonly FieldSpec[], version: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of fields) {
    if (inVersions(field.nullableVersions, version) && random.next() < 0.15) {
      out[field.name] = null;
      continue;
    }
    const array = field.type.startsWith('[]');
    const kind = array ? field.type.slice(2) : field.type;
    const one = () => (kind === 'struct' ? struct(random, field.fields ?? [], version) : primitive(random, kind, field.name));
    out[field.name] = array ? Array.from({ length: random.pick([0, 1, 1, 2, 3]) }, one) : one();
  }
  return out;
}

export interface FuzzRequest {
  apiKey: number;
  version: number;
  correlationId: number;
  frame: Buffer;
  /** False for Produce with acks 0, which Kafka never answers. */
  answered: boolean;
}

/** One request of a random described API at a random version of its description. */
export function fuzzRequest(random: FuzzRandom, correlationId: number): FuzzRequest {
  for (;;) {
    const api = random.pick(API_SPECS);
    const { min, max } = validBounds(api.request);
    const version = min + Math.floor(random.next() * (max - min + 1));
    try {
      const input = struct(random, api.request.fields, version);
      const frame = Buffer.concat(encodeRequest(api, { requestApiKey: api.apiKey, requestApiVersion: version, correlationId, clientId: 'fuzz' }, input as never));
      return { apiKey: api.apiKey, version, correlationId, frame, answered: !(api.apiKey === 0 && input.acks === 0) };
    } catch {
      // A value this version cannot encode (e.g. a null where it is not nullable): draw again.
    }
  }
}

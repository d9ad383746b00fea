/**
 * The one error a Kafka decode raises: the bytes do not parse (truncated, negative length,
 * invalid UTF-8, overlong varint). The connection answers it by closing, never by crashing.
 */
export class DecodeError extends Error {
  constructor(message: string, readonly offset: number) {
    super(`${message} (at byte ${offset})`);
    this.name = 'DecodeError';
  }
}

/** A value the encoder cannot put on the wire in the asked version (a broker bug, not client input). */
export class EncodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EncodeError';
  }
}

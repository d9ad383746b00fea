/**
 * The key hash shared by native producers, the broker's partition choice and Key_Shared
 * dispatch: 32-bit FNV-1a with murmur3's fmix32 finalizer (cheap, well spread, the same in every
 * implementation of the protocol). docs/native-protocol.md §8.
 */
export function keyHash(parts: Uint8Array[]): number {
  let h = 0x811c9dc5;
  for (const part of parts) {
    for (let i = 0; i < part.length; i++) {
      h ^= part[i];
      h = Math.imul(h, 0x01000193);
    }
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Partition of a keyed message: one key always lands in one partition. */
export function partitionForKey(key: Uint8Array, partitions: number): number {
  return keyHash([key]) % partitions;
}

/**
 * Stored batches as a Fetch `records` field. One chunk is passed as is (no copy); several are
 * joined once.
 */
export function recordsOf(chunks: Buffer[]): Buffer {
  if (chunks.length === 1) return chunks[0];
  return chunks.length === 0 ? Buffer.alloc(0) : Buffer.concat(chunks);
}

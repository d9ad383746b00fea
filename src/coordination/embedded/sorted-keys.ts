/**
 * The embedded store's keys in UTF-8 byte order (etcd's order), so a prefix listing is a binary
 * search plus a contiguous run instead of a scan of every key. Keys live in sorted blocks of at
 * most BLOCK_KEYS_MAX (one flat array makes every insertion shift the whole array).
 */
const BLOCK_KEYS_MAX = 1024;

export class SortedKeys {
  private blocks: string[][] = [[]];

  /** Replaces the contents with keys (any order): one sort instead of one insertion each. */
  reset(keys: Iterable<string>): void {
    const all = [...new Set(keys)].sort(compareUtf8);
    this.blocks = [];
    for (let i = 0; i < all.length; i += BLOCK_KEYS_MAX / 2) this.blocks.push(all.slice(i, i + BLOCK_KEYS_MAX / 2));
    if (this.blocks.length === 0) this.blocks.push([]);
  }

  add(key: string): void {
    const index = this.blockFor(key);
    const block = this.blocks[index];
    const at = lowerBound(block, key);
    if (block[at] === key) return;
    block.splice(at, 0, key);
    if (block.length > BLOCK_KEYS_MAX) this.blocks.splice(index, 1, block.slice(0, block.length >> 1), block.slice(block.length >> 1));
  }

  remove(key: string): void {
    const index = this.blockFor(key);
    const block = this.blocks[index];
    const at = lowerBound(block, key);
    if (block[at] !== key) return;
    block.splice(at, 1);
    if (block.length === 0 && this.blocks.length > 1) this.blocks.splice(index, 1);
  }

  /** Keys starting with prefix, in order. */
  withPrefix(prefix: string): string[] {
    const found: string[] = [];
    const first = this.blockFor(prefix);
    for (let b = first; b < this.blocks.length; b++) {
      const block = this.blocks[b];
      for (let i = b === first ? lowerBound(block, prefix) : 0; i < block.length; i++) {
        if (!block[i].startsWith(prefix)) return found;
        found.push(block[i]);
      }
    }
    return found;
  }

  /** The first block whose last key is >= key (or the last block): where key is or would go. */
  private blockFor(key: string): number {
    let low = 0;
    let high = this.blocks.length - 1;
    while (low < high) {
      const mid = (low + high) >>> 1;
      const block = this.blocks[mid];
      if (block.length > 0 && compareUtf8(block[block.length - 1], key) < 0) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}

function lowerBound(keys: string[], key: string): number {
  let low = 0;
  let high = keys.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (compareUtf8(keys[mid], key) < 0) low = mid + 1;
    else high = mid;
  }
  return low;
}

/**
 * Orders strings as their UTF-8 bytes would, without encoding them. UTF-16 code units already
 * sort by code point except that surrogates (code points past U+FFFF) sort below U+E000..U+FFFF.
 */
export function compareUtf8(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const xSurrogate = x >= 0xd800 && x <= 0xdfff;
    const ySurrogate = y >= 0xd800 && y <= 0xdfff;
    if (xSurrogate !== ySurrogate && (xSurrogate ? y : x) >= 0xe000) return xSurrogate ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}

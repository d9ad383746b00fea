/**
 * A first-in first-out queue with O(1) take. Array.prototype.shift is O(length) once an array
 * leaves V8's fast left-trim path (a receiver queue of 20,000 messages did): taking each message
 * then cost ~15 us in a micro-benchmark. Taken slots are dropped in bulk once they are at least
 * half the array, so each message is moved at most once on average.
 *
 * An entry may also be an ItemSource that yields several items one at a time (the messages of a
 * MESSAGE_BATCH push): they are made only when taken, so a full receiver queue holds one small
 * object per batch and the messages die young instead of surviving garbage collections.
 */
const COMPACT_AFTER_TAKEN = 1024;

/** Items made one at a time on take; `remaining` of them are left. */
export abstract class ItemSource<T> {
  abstract readonly remaining: number;
  /** The next item; only called while remaining > 0. */
  abstract take(): T;
}

export class MessageQueue<T> {
  private items: Array<T | ItemSource<T> | undefined> = [];
  private head = 0;
  private count = 0;

  get length(): number {
    return this.count;
  }

  push(item: T): void {
    this.items.push(item);
    this.count++;
  }

  /** Queues the items of `source` (none when it has none). */
  pushSource(source: ItemSource<T>): void {
    if (source.remaining === 0) return;
    this.items.push(source);
    this.count += source.remaining;
  }

  /** The oldest item, or undefined when empty. */
  shift(): T | undefined {
    if (this.head === this.items.length) return undefined;
    const entry = this.items[this.head];
    this.count--;
    if (entry instanceof ItemSource) {
      const item = entry.take();
      if (entry.remaining === 0) this.advance();
      return item;
    }
    this.advance();
    return entry;
  }

  clear(): void {
    this.items = [];
    this.head = 0;
    this.count = 0;
  }

  private advance(): void {
    this.items[this.head++] = undefined;
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head >= COMPACT_AFTER_TAKEN && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
}

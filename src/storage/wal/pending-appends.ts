/**
 * Appends of one log that have their offsets and wait for the group commit to write them,
 * oldest first. A flush takes the oldest up to a write's byte cap; the rest waits for the next.
 */
import type { AppendResult } from '../partition-log';
import { frameBytesOf, type OutgoingFrame, type Segment } from './segment';

export interface PendingAppend extends OutgoingFrame {
  /** The segment the frame was written to (set once written). */
  segment?: Segment;
  resolve(result: AppendResult): void;
  reject(err: Error): void;
}

export class PendingAppends {
  private items: PendingAppend[] = [];

  get length(): number {
    return this.items.length;
  }

  push(append: PendingAppend): void {
    this.items.push(append);
  }

  /** The oldest appends whose frames stay within `bytesMax` (at least one), and their bytes. */
  take(bytesMax: number): { group: PendingAppend[]; bytes: number } {
    let count = 0;
    let bytes = 0;
    while (count < this.items.length && (count === 0 || bytes < bytesMax)) bytes += frameBytesOf(this.items[count++]);
    const group = count === this.items.length ? this.items : this.items.slice(0, count);
    this.items = count === this.items.length ? [] : this.items.slice(count);
    return { group, bytes };
  }
}

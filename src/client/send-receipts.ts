/**
 * How a producer's queued messages learn their offsets. A batch on its way keeps one receiver
 * per send() (the resolve function of its receipt: nothing else of the message survives until
 * the reply) and one slice per run of a sendMany() call's messages that share the batch; a
 * sendMany() call has one promise for all its messages, resolved with a SendManyResult that
 * computes each message's offset when asked.
 */
import type { NativeMessage } from '../protocol/native/messages';

export interface SendResult {
  partition: number;
  offset: bigint;
}

/** What sendMany() resolves with once every message of the call is stored. */
export interface SendManyResult {
  /** The partition every message of the call went to. */
  readonly partition: number;
  /** Messages in the call. */
  readonly count: number;
  /** Offset of message `index` of the call (0 <= index < count). */
  offsetOf(index: number): bigint;
}

/** `count` consecutive messages of one sendMany() call, from message `from` of the call, in one batch. */
export class ManySlice {
  baseOffset = -1n;

  constructor(readonly receipt: ManyReceipt, readonly from: number, public count: number) {}
}

/** A receipt promise's resolve function (called with a rejected promise on failure) or a slice. */
export type Receiver = ((result: SendResult | PromiseLike<SendResult>) => void) | ManySlice;

export class ManyReceipt implements SendManyResult {
  readonly promise: Promise<SendManyResult>;
  private readonly slices: ManySlice[] = [];
  private waiting: number;
  private failed = false;
  private resolve!: (result: SendManyResult) => void;
  private reject!: (err: Error) => void;

  constructor(readonly partition: number, readonly count: number) {
    this.waiting = count;
    this.promise = new Promise<SendManyResult>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    // Handled here so a failure while sendMany() still waits for room is not reported as unhandled;
    // sendMany() returns this promise, and an application that ignores that one still hears of it.
    this.promise.catch(() => undefined);
    if (count === 0) this.resolve(this);
  }

  /** A new slice of this call's messages, starting at message `from`. */
  slice(from: number): ManySlice {
    const slice = new ManySlice(this, from, 0);
    this.slices.push(slice);
    return slice;
  }

  stored(slice: ManySlice, baseOffset: bigint): void {
    slice.baseOffset = baseOffset;
    this.waiting -= slice.count;
    if (this.waiting === 0 && !this.failed) this.resolve(this);
  }

  /** The first failure rejects the call (messages of other batches may still be stored: at-least-once). */
  fail(err: Error): void {
    if (this.failed) return;
    this.failed = true;
    this.reject(err);
  }

  offsetOf(index: number): bigint {
    if (!Number.isInteger(index) || index < 0 || index >= this.count) throw new RangeError(`message ${index} is not in this call of ${this.count}`);
    // Slices were cut in call order: the last one starting at or before `index` holds it.
    let low = 0;
    let high = this.slices.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.slices[mid].from <= index) low = mid;
      else high = mid - 1;
    }
    const slice = this.slices[low];
    return slice.baseOffset + BigInt(index - slice.from);
  }
}

/** Hands each receiver of a stored batch its offset: message i of the batch has offsetOf(i). */
export function settleStored(receivers: readonly Receiver[], partition: number, offsetOf: (i: number) => bigint): void {
  let index = 0;
  for (const r of receivers) {
    if (typeof r === 'function') {
      r({ partition, offset: offsetOf(index) });
      index++;
    } else {
      r.receipt.stored(r, offsetOf(index));
      index += r.count;
    }
  }
}

/** Fails every receiver of a batch that was not stored. */
export function settleFailed(receivers: readonly Receiver[], err: Error): void {
  // Each receipt adopts this one rejection; only receipts nobody handles report it as unhandled.
  const rejected = Promise.reject(err);
  rejected.catch(() => undefined);
  for (const r of receivers) {
    if (typeof r === 'function') r(rejected);
    else r.receipt.fail(err);
  }
}

/** Offset of message i of a SEND (one offset each) or a SEND_BATCH (base offset + i). */
export function receiptOffsets(reply: NativeMessage, count: number): (i: number) => bigint {
  if (reply.type === 'sendBatchReceipt') {
    if (reply.count !== count) throw new Error(`the broker stored ${reply.count} of ${count} messages`);
    const { baseOffset } = reply;
    return (i) => baseOffset + BigInt(i);
  }
  if (reply.type !== 'sendReceipt') throw new Error(`send got ${reply.type}`);
  const { offsets } = reply;
  return (i) => offsets[i];
}

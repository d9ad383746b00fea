import { COORDINATION_LIMITS } from '../limits';
import { CoordinationError } from './errors';
import type { Compare, TxnOp } from './metadata-store';

/** Checks shared by every store so both refuse the same bad input with the same error. */
export function validateTxn(compares: Compare[], ops: TxnOp[]): void {
  if (compares.length + ops.length > COORDINATION_LIMITS.txnOpsMax) {
    throw new CoordinationError('INVALID_REQUEST',
      `transaction has ${compares.length + ops.length} compares and ops; at most ${COORDINATION_LIMITS.txnOpsMax} allowed`);
  }
  for (const compare of compares) validateKey(compare.key);
  for (const op of ops) {
    if (op.type === 'deletePrefix') {
      validateKey(op.prefix);
      continue;
    }
    validateKey(op.key);
    if (op.type === 'put') validateValue(op.key, op.value);
  }
  refuseOverlaps(ops);
}

/** etcd refuses a key put twice, or put and deleted, in one transaction; the embedded store does too. */
function refuseOverlaps(ops: TxnOp[]): void {
  const puts = new Set<string>();
  for (const op of ops) {
    if (op.type !== 'put') continue;
    if (puts.has(op.key)) throw new CoordinationError('INVALID_REQUEST', `key ${op.key} is put twice in one transaction`);
    puts.add(op.key);
  }
  for (const op of ops) {
    const deleted = op.type === 'delete' ? (key: string) => key === op.key
      : op.type === 'deletePrefix' ? (key: string) => key.startsWith(op.prefix) : null;
    const both = deleted && [...puts].find(deleted);
    if (both) throw new CoordinationError('INVALID_REQUEST', `key ${both} is both put and deleted in one transaction`);
  }
}

export function validateKey(key: string): void {
  if (typeof key !== 'string' || key.length === 0) {
    throw new CoordinationError('INVALID_REQUEST', 'metadata keys must be non-empty strings');
  }
}

function validateValue(key: string, value: string): void {
  if (typeof value !== 'string') {
    throw new CoordinationError('INVALID_REQUEST', `value of ${key} must be a string`);
  }
  const bytes = Buffer.byteLength(value);
  if (bytes > COORDINATION_LIMITS.valueBytesMax) {
    throw new CoordinationError('INVALID_REQUEST',
      `value of ${key} is ${bytes} bytes; at most ${COORDINATION_LIMITS.valueBytesMax} allowed`);
  }
}

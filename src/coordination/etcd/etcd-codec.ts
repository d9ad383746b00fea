import type { IKeyValue } from 'etcd3';
import type { Compare, KeyValue, TxnOp } from '../metadata-store';

/** Mapping between MetadataStore shapes and etcd's gRPC messages (revisions: strings <-> bigint). */

/** The range end that makes [prefix, end) cover every key starting with prefix (etcd's "prefix" option). */
export function prefixEnd(prefix: string): Buffer {
  const end = Buffer.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i] < 0xff) {
      end[i] += 1;
      return end.subarray(0, i + 1);
    }
  }
  // Every byte is 0xff (or the prefix is empty): "\\0" means "to the end of the keyspace".
  return Buffer.from([0]);
}

export function toKeyValue(kv: IKeyValue): KeyValue {
  const lease = kv.lease === undefined || String(kv.lease) === '0' ? undefined : String(kv.lease);
  return {
    key: kv.key.toString(),
    value: kv.value.toString(),
    modRevision: BigInt(kv.mod_revision),
    createRevision: BigInt(kv.create_revision),
    ...(lease !== undefined ? { leaseId: lease } : {}),
  };
}

export function toCompare(compare: Compare) {
  const key = Buffer.from(compare.key);
  if ('modRevision' in compare) {
    return { key, target: 'Mod' as const, result: 'Equal' as const, mod_revision: compare.modRevision.toString() };
  }
  return { key, target: 'Value' as const, result: 'Equal' as const, value: Buffer.from(compare.value) };
}

export function toRequestOp(op: TxnOp) {
  switch (op.type) {
    case 'put':
      return { request_put: { key: Buffer.from(op.key), value: Buffer.from(op.value), ...(op.leaseId ? { lease: op.leaseId } : {}) } };
    case 'delete':
      return { request_delete_range: { key: Buffer.from(op.key) } };
    case 'deletePrefix':
      return { request_delete_range: { key: Buffer.from(op.prefix), range_end: prefixEnd(op.prefix) } };
  }
}

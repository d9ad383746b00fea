import { randomBytes } from 'node:crypto';
import type { MetadataStore, WatchEvent } from '../../src/coordination/metadata-store';

/** A key prefix no other test uses, so suites can share one etcd. */
export function uniquePrefix(label: string): string {
  return `/test-${label}-${randomBytes(4).toString('hex')}/`;
}

/** Polls until check returns true; fails with the message after timeoutMs. */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs: number, message: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${message}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export async function put(store: MetadataStore, key: string, value: string, leaseId?: string): Promise<bigint> {
  const result = await store.txn([], [{ type: 'put', key, value, ...(leaseId ? { leaseId } : {}) }]);
  return result.revision;
}

/** A compact, comparable form of watch events: "put key=value@rev" / "delete key@rev". */
export function describeEvent(event: WatchEvent): string {
  return event.type === 'put'
    ? `put ${event.kv.key}=${event.kv.value}@${event.kv.modRevision}`
    : `delete ${event.key}@${event.modRevision}`;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

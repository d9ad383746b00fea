/**
 * `npm run bench:metadata`: the embedded MetadataStore's commit rate and fsync count.
 *  - burst: rounds of 1,000 concurrent small writes (100 B values), as many brokers/handlers at once;
 *  - paced: a steady 1,000 writes/s for a few seconds, the case group commit is for;
 *  - etcd (when /usr/bin/etcd exists): bursts of 200 concurrent writes against a real single-member
 *    etcd, for scale (1,000 at once can pass the 1.5 s call deadline on a busy 2-core machine).
 * Prints RESULT lines. BENCH_SCALE=0.1 runs a smaller version.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedMetadataStore } from '../src/coordination/embedded/embedded-store';
import { EtcdMetadataStore } from '../src/coordination/etcd/etcd-store';
import type { MetadataStore } from '../src/coordination/metadata-store';
import { ETCD_BINARY, startEtcd } from '../test/support/etcd';
import { result } from './kafka-bench-support';

const scale = Number(process.env.BENCH_SCALE ?? '1');
const value = 'v'.repeat(100);

async function burst(store: MetadataStore, rounds: number, concurrent: number): Promise<{ writes: number; seconds: number }> {
  const started = process.hrtime.bigint();
  for (let round = 0; round < rounds; round++) {
    await Promise.all(Array.from({ length: concurrent }, (_, i) =>
      store.txn([], [{ type: 'put', key: `/bench/burst/${round}/${i}`, value }])));
  }
  return { writes: rounds * concurrent, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}

/** Starts one write every millisecond (1,000/s) regardless of completions, like independent clients. */
async function paced(store: MetadataStore, seconds: number): Promise<{ writes: number; seconds: number; latenciesMs: number[] }> {
  const total = Math.round(seconds * 1000);
  const started = Date.now();
  const pending: Array<Promise<unknown>> = [];
  const latenciesMs: number[] = [];
  for (let i = 0; i < total; i++) {
    const dueMs = started + i;
    if (dueMs > Date.now()) await new Promise((resolve) => setTimeout(resolve, dueMs - Date.now()));
    const sentNs = process.hrtime.bigint();
    pending.push(store.txn([], [{ type: 'put', key: `/bench/paced/${i}`, value }])
      .then(() => latenciesMs.push(Number(process.hrtime.bigint() - sentNs) / 1e6)));
  }
  await Promise.all(pending);
  return { writes: total, seconds: (Date.now() - started) / 1000, latenciesMs: latenciesMs.sort((a, b) => a - b) };
}

async function benchEmbedded(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-bench-meta-'));
  try {
    const store = await EmbeddedMetadataStore.open(dir);
    const burstFsyncs = store.stats().fsyncs;
    const b = await burst(store, Math.max(1, Math.round(20 * scale)), 1000);
    const fsyncsBurst = store.stats().fsyncs - burstFsyncs;
    result('metadata_embedded_burst_writes', b.writes / b.seconds, 'writes/s');
    result('metadata_embedded_burst_fsyncs', fsyncsBurst / b.seconds, 'fsyncs/s');
    result('metadata_embedded_burst_writes_per_fsync', b.writes / fsyncsBurst, 'writes/fsync');

    const pacedFsyncs = store.stats().fsyncs;
    const p = await paced(store, Math.max(1, 5 * scale));
    const fsyncsPaced = store.stats().fsyncs - pacedFsyncs;
    result('metadata_embedded_paced_writes', p.writes / p.seconds, 'writes/s');
    result('metadata_embedded_paced_fsyncs', fsyncsPaced / p.seconds, 'fsyncs/s');
    result('metadata_embedded_paced_latency_p50', p.latenciesMs[Math.floor(p.latenciesMs.length * 0.5)], 'ms');
    result('metadata_embedded_paced_latency_p99', p.latenciesMs[Math.floor(p.latenciesMs.length * 0.99)], 'ms');
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function benchEtcd(): Promise<void> {
  if (!existsSync(ETCD_BINARY)) return;
  const etcd = await startEtcd();
  try {
    const store = EtcdMetadataStore.connect(etcd.endpoints);
    const b = await burst(store, Math.max(1, Math.round(25 * scale)), 200);
    result('metadata_etcd_burst_writes', b.writes / b.seconds, 'writes/s');
    await store.close();
  } finally {
    await etcd.stop();
  }
}

async function main(): Promise<void> {
  await benchEmbedded();
  await benchEtcd();
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack}\n`);
  process.exit(1);
});

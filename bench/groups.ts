/**
 * `npm run bench:groups`: consumer-group figures.
 * 1. Committed-offset throughput: OffsetCommit-sized commits (one partition each) through the
 *    group coordinator into the embedded metadata store, as fast as 64 committers go, and paced at
 *    1,000 commits/s; fsyncs counted by the store (group commit means far fewer fsyncs than commits).
 * 2. Rebalance latency: a `tributary broker` process, three kafkajs consumers stable on a 6-partition
 *    topic, then a fourth joins; the time from its run() until all four members fetch again
 *    (existing members learn of the rebalance at their next heartbeat: kafkajs' default 3 s, then 500 ms).
 * BENCH_SCALE=0.1 runs a smaller version.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Consumer, Kafka, logLevel } from 'kafkajs';
import { GroupCoordinator } from '../src/broker/groups/group-coordinator';
import { OffsetStore } from '../src/broker/groups/offset-store';
import { EmbeddedMetadataStore } from '../src/coordination/embedded/embedded-store';
import { clusterKeys } from '../src/coordination/keys';
import { freePort, result, startBrokerProcess } from './kafka-bench-support';

const scale = Number(process.env.BENCH_SCALE ?? '1');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function openCoordinator(dir: string) {
  const store = await EmbeddedMetadataStore.open(dir);
  const coordinator = new GroupCoordinator(await OffsetStore.open(store, clusterKeys('/bench')));
  return { store, coordinator };
}

function commitOne(coordinator: GroupCoordinator, i: number) {
  return coordinator.commitOffsets({
    groupId: `group-${i % 100}`, generationId: -1, memberId: '', groupInstanceId: null,
    offsets: [{ topic: 'bench', partition: i % 32, offset: BigInt(i), leaderEpoch: -1, metadata: null }],
  });
}

async function commitBurst(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-bench-groups-'));
  const { store, coordinator } = await openCoordinator(dir);
  const total = Math.round(50_000 * scale);
  const committers = 64;
  let next = 0;
  const fsyncsBefore = store.stats().fsyncs;
  const started = process.hrtime.bigint();
  await Promise.all(Array.from({ length: committers }, async () => {
    while (next < total) await commitOne(coordinator, next++);
  }));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const fsyncs = store.stats().fsyncs - fsyncsBefore;
  result('group_offset_commits', total / seconds, 'commits/s');
  result('group_offset_commit_fsyncs', fsyncs, `fsyncs/${total}_commits`);
  result('group_offset_commits_per_fsync', total / Math.max(1, fsyncs), 'commits/fsync');
  await coordinator.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}

async function commitPaced(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-bench-groups-'));
  const { store, coordinator } = await openCoordinator(dir);
  const perSecond = 1000;
  const seconds = Math.max(1, Math.round(5 * scale));
  const fsyncsBefore = store.stats().fsyncs;
  const pending: Promise<unknown>[] = [];
  const started = Date.now();
  for (let i = 0; i < perSecond * seconds; i++) {
    const due = started + (i * 1000) / perSecond;
    if (due > Date.now()) await sleep(due - Date.now());
    pending.push(commitOne(coordinator, i));
  }
  await Promise.all(pending);
  const elapsed = (Date.now() - started) / 1000;
  result('group_offset_commit_fsyncs_at_1000_commits_per_s', (store.stats().fsyncs - fsyncsBefore) / elapsed, 'fsyncs/s');
  await coordinator.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}

interface Member {
  consumer: Consumer;
  joinedAt: number;
  fetchedAfterJoinAt: number;
}

async function member(kafka: Kafka, groupId: string, heartbeatInterval: number): Promise<Member> {
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100, heartbeatInterval });
  const m: Member = { consumer, joinedAt: 0, fetchedAfterJoinAt: 0 };
  consumer.on(consumer.events.GROUP_JOIN, () => { m.joinedAt = Date.now(); m.fetchedAfterJoinAt = 0; });
  consumer.on(consumer.events.FETCH_START, () => { if (m.joinedAt > 0 && m.fetchedAfterJoinAt === 0) m.fetchedAfterJoinAt = Date.now(); });
  await consumer.connect();
  await consumer.subscribe({ topics: ['rebalance'], fromBeginning: true });
  return m;
}

async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await sleep(10);
  }
}

async function rebalanceLatency(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-bench-rebalance-'));
  const port = await freePort();
  const broker = await startBrokerProcess(port, dir, { TRIBUTARY_LOG_LEVEL: 'warn' });
  const kafka = new Kafka({ clientId: 'bench-groups', brokers: [`127.0.0.1:${port}`], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'rebalance', numPartitions: 6 }] });
  await admin.disconnect();
  try {
    // kafkajs' default heartbeat (3 s), then 500 ms: the difference is the time members take to notice.
    await rebalanceTrials(kafka, 3000, 'group_rebalance_latency');
    await rebalanceTrials(kafka, 500, 'group_rebalance_latency_hb500');
  } finally {
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function rebalanceTrials(kafka: Kafka, heartbeatInterval: number, name: string): Promise<void> {
  const trials = Math.max(1, Math.round(3 * scale));
  const latencies: number[] = [];
  for (let trial = 0; trial < trials; trial++) {
    const groupId = `${name}-${trial}`;
    const members = [await member(kafka, groupId, heartbeatInterval), await member(kafka, groupId, heartbeatInterval), await member(kafka, groupId, heartbeatInterval)];
    for (const m of members) await m.consumer.run({ eachMessage: async () => undefined });
    await until(() => members.every((m) => m.fetchedAfterJoinAt > 0), 60_000, 'three members stable');
    await sleep(1000);
    const joiner = await member(kafka, groupId, heartbeatInterval);
    const all = [...members, joiner];
    const started = Date.now();
    for (const m of members) m.joinedAt = 0;
    await joiner.consumer.run({ eachMessage: async () => undefined });
    await until(() => all.every((m) => m.joinedAt >= started && m.fetchedAfterJoinAt >= m.joinedAt), 60_000, 'four members fetching again');
    latencies.push(Math.max(...all.map((m) => m.fetchedAfterJoinAt)) - started);
    await Promise.all(all.map((m) => m.consumer.disconnect()));
  }
  latencies.sort((a, b) => a - b);
  result(`${name}_median`, latencies[Math.floor(latencies.length / 2)], 'ms');
  result(`${name}_max`, latencies[latencies.length - 1], 'ms');
}

async function main(): Promise<void> {
  if (process.env.BENCH_ONLY !== 'rebalance') {
    await commitBurst();
    await commitPaced();
  }
  await rebalanceLatency();
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});

/**
 * `tributary admin partition move TOPIC PARTITION BROKER_ID`: moves a partition through the
 * same lossless handoff as rebalancing (src/coordination/handoff.ts): it writes a manual request
 * naming the target, the owner stops serving, uploads until object storage covers its high
 * watermark and answers ready, and the controller reassigns the partition to the target at
 * leader epoch + 1 and pins it there (partition-pin.ts: the rebalancer leaves it alone). The
 * command waits, bounded by timeoutMs, until the assignment shows the target at a higher epoch;
 * past that it cancels its request and the owner serves the partition again.
 *
 * An owner without an object store cannot hand off without losing its un-uploaded tail: it
 * refuses, and so does this command unless `force`, which then bumps the epoch directly (the
 * old behaviour, lossy for durability local). `force` does the same for an owner that is not live.
 */
import { decodeAssignment, encodeAssignment, type StoredAssignment } from '../coordination/assignment';
import { type BrokerRegistration, listBrokers } from '../coordination/broker-registry';
import { decodeHandoff, handoffKey, NO_OBJECT_STORE, requestManualHandoff } from '../coordination/handoff';
import type { ClusterKeys } from '../coordination/keys';
import type { MetadataStore, Watch } from '../coordination/metadata-store';
import { pinOp } from '../coordination/partition-pin';
import type { PartitionMove } from '../coordination/rebalance-plan';
import { COORDINATION_LIMITS } from '../limits';

export interface MoveRequest {
  topic: string;
  partition: number;
  to: number;
  force: boolean;
  timeoutMs: number;
  /** One line of progress (the CLI writes it to stderr). */
  progress: (line: string) => void;
}

export interface MoveResult {
  topic: string;
  partition: number;
  from: number;
  owner: number;
  leaderEpoch: number;
  moved: true;
  pinned: true;
  /** handoff: the owner uploaded first (nothing lost); forced: the epoch was bumped directly. */
  via: 'handoff' | 'forced';
  tookMs: number;
}

export async function movePartition(store: MetadataStore, keys: ClusterKeys, request: MoveRequest): Promise<MoveResult> {
  const startedMs = Date.now();
  const { topic, partition, to } = request;
  const brokers = await listBrokers(store, keys);
  checkTarget(brokers, to);
  const kv = await store.get(keys.assignment(topic, partition));
  if (!kv) throw new Error(await unknownPartition(store, keys, topic, partition));
  const current = decodeAssignment(keys, kv.key, kv.value, kv.modRevision)!;
  const name = `${topic}-${partition}`;
  if (current.brokerId === to) throw new Error(`${name} is already on broker ${to} (leader epoch ${current.leaderEpoch}): nothing to move`);
  const move: PartitionMove = { topic, partition, from: current.brokerId, to, leaderEpoch: current.leaderEpoch, expectedModRevision: kv.modRevision };
  const owner = brokers.find((b) => b.brokerId === current.brokerId);
  if (!owner) {
    if (!request.force) {
      throw new Error(`the owner of ${name}, broker ${move.from}, is not live, so nothing can upload what it held; the controller moves its `
        + `partitions to live brokers by itself within the lease TTL (run the command again then), or use --force to move it now `
        + `(a durability local topic loses what broker ${move.from} had not uploaded)`);
    }
    return finish(await moveDirectly(store, keys, move, request), startedMs);
  }
  if (owner.state !== 'running') throw new Error(`broker ${move.from}, the owner of ${name}, is ${owner.state}: the controller is moving its partitions already`);
  const pending = await store.get(handoffKey(keys, topic, partition));
  if (pending) {
    const h = decodeHandoff(keys, pending);
    throw new Error(`a handoff of ${name} is already under way (${h?.state}, broker ${h?.from} to broker ${h?.to}); run the command again once it is done`);
  }
  return finish(await handOff(store, keys, move, request), startedMs);
}

function finish(result: Omit<MoveResult, 'tookMs'>, startedMs: number): MoveResult {
  return { ...result, tookMs: Date.now() - startedMs };
}

function checkTarget(brokers: BrokerRegistration[], to: number): void {
  const target = brokers.find((b) => b.brokerId === to);
  if (!target) {
    const ids = brokers.map((b) => b.brokerId).join(', ') || 'none';
    throw new Error(`broker ${to} is not registered (unknown, or not running); registered brokers: ${ids}`);
  }
  if (target.state !== 'running') throw new Error(`broker ${to} is ${target.state}: it cannot receive partitions`);
}

async function unknownPartition(store: MetadataStore, keys: ClusterKeys, topic: string, partition: number): Promise<string> {
  const kv = await store.get(keys.topic(topic));
  if (!kv) return `topic ${topic} does not exist`;
  const partitions = (JSON.parse(kv.value) as { partitions: number }).partitions;
  if (partition >= partitions) return `topic ${topic} has ${partitions} partitions (0-${partitions - 1}): there is no partition ${partition}`;
  return `${topic}-${partition} has no owner yet (the controller has not assigned it); run the command again in a moment`;
}

/**
 * Watches the request key: catches a refusal (the controller deletes a refused request at once,
 * possibly before a read sees it) and wakes the waiting loop early. The loop reads the store
 * every partitionMovePollMs anyway, so a missed event only delays it.
 */
class RequestWatch {
  private refusals = new Map<bigint, string>();
  private wake: () => void = () => undefined;
  private watch: Watch | null = null;

  static async open(store: MetadataStore, keys: ClusterKeys, key: string): Promise<RequestWatch> {
    const self = new RequestWatch();
    self.watch = await store.watch(key, (event) => {
      if (event.type === 'put' && event.kv.key === key) {
        const h = decodeHandoff(keys, event.kv);
        if (h?.state === 'refused') self.refusals.set(event.kv.createRevision, h.reason ?? 'no reason given');
      }
      self.wake();
    });
    return self;
  }

  /** The reason the request created at this revision was refused, if a refusal was seen. */
  refusal(createRevision: bigint): string | null {
    return this.refusals.get(createRevision) ?? null;
  }

  /** Resolves after ms, or sooner on a change of the request. */
  pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => { clearTimeout(timer); resolve(); };
    });
  }

  async close(): Promise<void> {
    await this.watch?.cancel().catch(() => undefined);
  }
}

/** Writes the manual request and waits for its outcome (watch first, so no refusal is missed). */
async function handOff(store: MetadataStore, keys: ClusterKeys, move: PartitionMove, request: MoveRequest): Promise<Omit<MoveResult, 'tookMs'>> {
  const watch = await RequestWatch.open(store, keys, handoffKey(keys, move.topic, move.partition));
  try {
    const requestRevision = await writeRequest(store, keys, move);
    request.progress(`${move.topic}-${move.partition}: handoff requested; broker ${move.from} stops serving it and uploads what it holds (leader epoch ${move.leaderEpoch})`);
    return await awaitOutcome(store, keys, move, request, watch, requestRevision);
  } finally {
    await watch.close();
  }
}

/**
 * The request's create revision. A write the etcd client retried may have been applied by an
 * earlier attempt: a request found in its place with exactly this move's fields counts as ours.
 */
async function writeRequest(store: MetadataStore, keys: ClusterKeys, move: PartitionMove): Promise<bigint> {
  const revision = await requestManualHandoff(store, keys, move);
  if (revision !== null) return revision;
  const kv = await store.get(handoffKey(keys, move.topic, move.partition));
  const h = kv ? decodeHandoff(keys, kv) : null;
  if (kv && h?.manual && h.state === 'requested' && h.from === move.from && h.to === move.to && h.leaderEpoch === move.leaderEpoch) return kv.createRevision;
  throw new Error(`${move.topic}-${move.partition} changed while moving it (reassigned, or a handoff started); run the command again`);
}

async function awaitOutcome(store: MetadataStore, keys: ClusterKeys, move: PartitionMove, request: MoveRequest,
  watch: RequestWatch, requestRevision: bigint): Promise<Omit<MoveResult, 'tookMs'>> {
  const name = `${move.topic}-${move.partition}`;
  const requestedAtMs = Date.now();
  const deadlineMs = requestedAtMs + request.timeoutMs;
  let lastState = 'requested';
  let nextProgressMs = requestedAtMs + COORDINATION_LIMITS.partitionMoveProgressMs;
  for (;;) {
    const [h, a] = await readState(store, keys, move);
    if (a && a.leaderEpoch > move.leaderEpoch) return moved(move, a, request);
    const ours = h !== null && h.createRevision === requestRevision;
    const reason = watch.refusal(requestRevision) ?? (ours && h.state === 'refused' ? h.reason ?? 'no reason given' : null);
    if (reason !== null) {
      await withdraw(store, keys, move, requestRevision);
      if (request.force && reason.startsWith(NO_OBJECT_STORE)) return moveDirectly(store, keys, move, request);
      throw new Error(`broker ${move.from} refused to hand ${name} off: ${reason}; it serves the partition again`
        + (reason.startsWith(NO_OBJECT_STORE) ? '. Moving it anyway loses what it has not uploaded for a durability local topic: use --force to accept that' : ''));
    }
    if (!ours) throw new Error(`the handoff of ${name} was cancelled (the controller does after ${COORDINATION_LIMITS.rebalanceHandoffMsMax} ms without an answer, or when the owner or the target changes); broker ${move.from} serves it again`);
    if (h.state !== lastState) {
      lastState = h.state;
      request.progress(`${name}: broker ${move.from} uploaded everything; waiting for the controller to reassign it`);
    }
    const nowMs = Date.now();
    if (nowMs > deadlineMs) return await timedOut(store, keys, move, request, h.modRevision);
    if (nowMs >= nextProgressMs) {
      nextProgressMs = nowMs + COORDINATION_LIMITS.partitionMoveProgressMs;
      const waitingFor = lastState === 'ready' ? 'the controller' : `broker ${move.from} to upload`;
      request.progress(`${name}: still waiting for ${waitingFor} (${((nowMs - requestedAtMs) / 1000).toFixed(0)} s of at most ${(request.timeoutMs / 1000).toFixed(0)} s)`);
    }
    await watch.pause(COORDINATION_LIMITS.partitionMovePollMs);
  }
}

/** The assignment moved on: to the target (done), or elsewhere (the controller moved it for another reason). */
function moved(move: PartitionMove, a: StoredAssignment, request: MoveRequest): Omit<MoveResult, 'tookMs'> {
  const name = `${move.topic}-${move.partition}`;
  if (a.brokerId !== move.to) throw new Error(`${name} was reassigned to broker ${a.brokerId} at leader epoch ${a.leaderEpoch} meanwhile (its owner left?), not to broker ${move.to}`);
  request.progress(`${name}: broker ${move.to} owns it at leader epoch ${a.leaderEpoch}`);
  return { topic: move.topic, partition: move.partition, from: move.from, owner: move.to, leaderEpoch: a.leaderEpoch, moved: true, pinned: true, via: 'handoff' };
}

/** The request (with its create revision, to tell it from a later one) and the assignment, read in that order. */
async function readState(store: MetadataStore, keys: ClusterKeys, move: PartitionMove) {
  const kv = await store.get(handoffKey(keys, move.topic, move.partition));
  const h = kv ? { ...decodeHandoff(keys, kv)!, createRevision: kv.createRevision } : null;
  const a = await store.get(keys.assignment(move.topic, move.partition));
  const assignment: StoredAssignment | null = a ? decodeAssignment(keys, a.key, a.value, a.modRevision) : null;
  return [h, assignment] as const;
}

async function cancel(store: MetadataStore, key: string, modRevision: bigint): Promise<boolean> {
  return (await store.txn([{ key, modRevision }], [{ type: 'delete', key }])).succeeded;
}

/**
 * Deletes our refused request, whichever revision it is at now. The refusal may have been seen
 * by the watch after this loop read the request as still 'requested', so the revision read then
 * is stale; and the controller deletes a refused request itself, maybe not yet. Until the key is
 * gone (or holds a later request that is not ours), a forced move's compare would fail.
 */
async function withdraw(store: MetadataStore, keys: ClusterKeys, move: PartitionMove, requestRevision: bigint): Promise<void> {
  const key = handoffKey(keys, move.topic, move.partition);
  for (let attempt = 0; attempt < COORDINATION_LIMITS.partitionMoveWithdrawAttempts; attempt++) {
    const kv = await store.get(key);
    if (!kv || kv.createRevision !== requestRevision) return;
    if (await cancel(store, key, kv.modRevision)) return;
  }
}

/** Past the deadline: withdraws the request, unless the move completed in the meantime. */
async function timedOut(store: MetadataStore, keys: ClusterKeys, move: PartitionMove, request: MoveRequest,
  modRevision: bigint): Promise<Omit<MoveResult, 'tookMs'>> {
  const name = `${move.topic}-${move.partition}`;
  const cancelled = await cancel(store, handoffKey(keys, move.topic, move.partition), modRevision);
  const [, a] = await readState(store, keys, move);
  if (a && a.brokerId === move.to && a.leaderEpoch > move.leaderEpoch) return moved(move, a, request);
  throw new Error(`${name} was not handed to broker ${move.to} within ${request.timeoutMs} ms; `
    + `${cancelled ? 'the request was cancelled and' : 'the request had changed (answered or cancelled) when cancelling it;'} broker ${move.from} serves it again`);
}

/**
 * The forced move: reassigns at epoch + 1 and pins, compared against the assignment read and
 * with no handoff under way. The old owner stops at once; what it had not uploaded is not carried over.
 */
async function moveDirectly(store: MetadataStore, keys: ClusterKeys, move: PartitionMove, request: MoveRequest): Promise<Omit<MoveResult, 'tookMs'>> {
  const name = `${move.topic}-${move.partition}`;
  const key = keys.assignment(move.topic, move.partition);
  const leaderEpoch = move.leaderEpoch + 1;
  const result = await store.txn(
    [{ key, modRevision: move.expectedModRevision }, { key: handoffKey(keys, move.topic, move.partition), modRevision: 0n }],
    [{ type: 'put', key, value: encodeAssignment(move.to, leaderEpoch) }, pinOp(keys, move.topic, move.partition, move.to, leaderEpoch)]);
  if (!result.succeeded) throw new Error(`${name} changed while moving it; run the command again`);
  request.progress(`${name}: forced to broker ${move.to} at leader epoch ${leaderEpoch}; what broker ${move.from} had not uploaded is not carried over`);
  return { topic: move.topic, partition: move.partition, from: move.from, owner: move.to, leaderEpoch, moved: true, pinned: true, via: 'forced' };
}

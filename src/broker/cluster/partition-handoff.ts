/**
 * The owner's side of a partition handoff (src/coordination/handoff.ts): when the controller
 * asks this broker to hand a partition off, it stops serving it (requests get
 * NOT_LEADER_OR_FOLLOWER and clients retry), lets requests already past the ownership check
 * finish, uploads everything to object storage and answers ready; the controller then assigns
 * the partition to its new owner at the next leader epoch, which opens it from object storage
 * at the exact end. Without an object store there is nowhere to upload, so it answers refused.
 *
 * A stopped partition is remembered with the epoch stopped; it serves again only if the handoff
 * is cancelled while the assignment still names this broker at that epoch, checked in the store
 * (the delete and the reassignment are one transaction, but arrive through separate watches).
 */
import { encodeAssignment } from '../../coordination/assignment';
import { answerHandoff, decodeHandoff, handoffsPrefix, NO_OBJECT_STORE, type StoredHandoff } from '../../coordination/handoff';
import type { ClusterKeys } from '../../coordination/keys';
import type { MetadataStore, Watch, WatchEvent } from '../../coordination/metadata-store';
import { COORDINATION_LIMITS } from '../../limits';
import { componentLogger } from '../../log';

const log = componentLogger('partition-handoff');

export interface Uploader {
  /** One cycle of every upload loop. */
  uploadAll(): Promise<void>;
  /**
   * Closes the partition's open log: every append it accepted is then durable here, or failed
   * and was never acknowledged; a request still holding the log fails from then on (clients
   * retry at the new owner). progress() opens it again, at the same epoch, with all of that.
   */
  quiesce(topic: string, partition: number): Promise<void>;
  /**
   * The partition's high watermark here (`end`, opening the partition if needed) and the offset
   * after its last batch recorded in object storage (`uploaded`: where a new owner continues).
   */
  progress(topic: string, partition: number): Promise<{ end: bigint; uploaded: bigint }>;
}

export class HandoffResponder {
  /** "topic/partition" -> the leader epoch this broker stopped serving it at. */
  private readonly stopped = new Map<string, number>();
  private readonly pending = new Map<string, StoredHandoff>();
  /** Requests deleted (completed or cancelled) while a batch works: its upload loop stops early. */
  private readonly withdrawn = new Set<string>();
  private working: Promise<void> | null = null;
  private watch: Watch | null = null;
  private closed = false;

  private constructor(private readonly store: MetadataStore, private readonly keys: ClusterKeys,
    private readonly brokerId: number, private readonly uploader: Uploader | null) {}

  static async start(store: MetadataStore, keys: ClusterKeys, brokerId: number, uploader: Uploader | null): Promise<HandoffResponder> {
    const responder = new HandoffResponder(store, keys, brokerId, uploader);
    // Watch first, then list: a request written in between is seen at least once (handling is idempotent).
    responder.watch = await store.watch(handoffsPrefix(keys), (event) => responder.onEvent(event));
    for (const kv of await store.list(handoffsPrefix(keys))) responder.offer(decodeHandoff(keys, kv));
    return responder;
  }

  /** False while the partition at this epoch is being (or has been) handed off by this broker. */
  serves(topic: string, partition: number, leaderEpoch: number): boolean {
    return this.stopped.get(`${topic}/${partition}`) !== leaderEpoch;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.watch?.cancel().catch(() => undefined);
    await this.working;
  }

  private onEvent(event: WatchEvent): void {
    if (event.type === 'put') {
      this.offer(decodeHandoff(this.keys, event.kv));
      return;
    }
    const id = event.key.slice(handoffsPrefix(this.keys).length);
    this.pending.delete(id);
    this.withdrawn.add(id);
    if (this.stopped.has(id)) void this.resumeIfStillOwned(id);
  }

  private offer(handoff: StoredHandoff | null): void {
    if (!handoff || handoff.from !== this.brokerId || handoff.state !== 'requested' || this.closed) return;
    this.pending.set(`${handoff.topic}/${handoff.partition}`, handoff);
    this.kick();
  }

  private kick(): void {
    if (this.working || this.closed) return;
    this.working = this.work().finally(() => {
      this.working = null;
      // A request offered while the last batch was being answered.
      if (this.pending.size > 0) this.kick();
    });
  }

  /** Handles pending requests in batches: one upload for all of a batch. */
  private async work(): Promise<void> {
    while (this.pending.size > 0 && !this.closed) {
      const batch = [...this.pending.values()];
      this.pending.clear();
      this.withdrawn.clear();
      for (const h of batch) this.stopped.set(`${h.topic}/${h.partition}`, h.leaderEpoch);
      log.info({ partitions: batch.map((h) => `${h.topic}/${h.partition}`) }, 'handing partitions off: stopped serving them');
      let answer: 'ready' | 'refused' = 'ready';
      let reason: string | undefined;
      try {
        const withdrawn = () => batch.every((h) => this.withdrawn.has(`${h.topic}/${h.partition}`));
        if (this.uploader) {
          await this.uploadUntilCovered(this.uploader, batch, Date.now() + COORDINATION_LIMITS.rebalanceHandoffMsMax / 2, withdrawn);
        } else {
          answer = 'refused';
          reason = `${NO_OBJECT_STORE} on broker ${this.brokerId}: nothing to upload the partition to`;
        }
      } catch (err) {
        log.warn({ err }, 'upload before a handoff failed; refusing the handoff');
        answer = 'refused';
        reason = `upload before the handoff failed on broker ${this.brokerId}: ${(err as Error).message}`;
      }
      await Promise.all(batch.map((h) => this.answer(h, answer, reason)));
    }
  }

  /** Drain: uploads until object storage covers every given partition (nothing to do without an object store). */
  async uploadCovering(parts: Array<{ topic: string; partition: number }>, deadlineMs: number): Promise<void> {
    if (this.uploader) await this.uploadUntilCovered(this.uploader, parts, deadlineMs, () => false);
  }

  /**
   * Closes the partitions' logs (so no append can still be on its way: a produce that passed
   * the ownership check before it stopped is either in the log now or never acknowledged), then
   * uploads until object storage ends at or past every partition's high watermark: one cycle may
   * stop at its size limit, and a failed cycle only logs. Throws past the deadline (a handoff
   * then refuses).
   */
  private async uploadUntilCovered(uploader: Uploader, parts: Array<{ topic: string; partition: number }>,
    deadlineMs: number, withdrawn: () => boolean): Promise<void> {
    await Promise.all(parts.map((p) => uploader.quiesce(p.topic, p.partition)));
    for (;;) {
      await uploader.uploadAll();
      const behind: string[] = [];
      for (const p of parts) {
        const { end, uploaded } = await uploader.progress(p.topic, p.partition);
        if (uploaded < end) behind.push(`${p.topic}/${p.partition} ${uploaded} < ${end}`);
      }
      if (behind.length === 0) return;
      if (this.closed || withdrawn()) throw new Error('upload abandoned: closing, or the handoff was withdrawn');
      if (Date.now() > deadlineMs) throw new Error(`object storage still behind the log: ${behind.join(', ')}`);
      await sleep(COORDINATION_LIMITS.clusterRetryDelayMsMax / 4);
    }
  }

  private async answer(h: StoredHandoff, state: 'ready' | 'refused', reason: string | undefined): Promise<void> {
    const id = `${h.topic}/${h.partition}`;
    const ok = await answerHandoff(this.store, this.keys, h, state, reason).catch((err: unknown) => {
      log.warn({ err, partition: id }, 'answering a handoff failed');
      return false;
    });
    // Refused or unanswerable: serve on if it is still ours (the controller will cancel the request).
    if (!ok || state === 'refused') await this.resumeIfStillOwned(id);
  }

  private async resumeIfStillOwned(id: string): Promise<void> {
    const epoch = this.stopped.get(id);
    if (epoch === undefined) return;
    const slash = id.lastIndexOf('/');
    const topic = id.slice(0, slash);
    const partition = Number(id.slice(slash + 1));
    // Retried until the store answers: a partition must not stay unserved because etcd blinked.
    while (!this.closed && this.stopped.get(id) === epoch) {
      try {
        const [assignment, handoff] = await Promise.all([
          this.store.get(this.keys.assignment(topic, partition)), this.store.get(`${handoffsPrefix(this.keys)}${id}`)]);
        const stillOwned = assignment?.value === encodeAssignment(this.brokerId, epoch);
        const live = handoff !== null && (JSON.parse(handoff.value) as { state: string }).state === 'ready';
        if (stillOwned && !live && this.stopped.get(id) === epoch) {
          this.stopped.delete(id);
          log.info({ partition: id, leaderEpoch: epoch }, 'handoff cancelled: serving the partition again');
        }
        // Moved away: the entry stays, since this broker's view may still show the old epoch for a moment.
        return;
      } catch (err) {
        log.warn({ err, partition: id }, 'checking a cancelled handoff failed; retrying');
        await sleep(COORDINATION_LIMITS.clusterRetryDelayMsMax);
      }
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

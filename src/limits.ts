/**
 * Every limit in Tributary, in one place (CONVENTIONS §14: put a limit on everything).
 * Each area owns one section; code imports the constant, tests cross it.
 * Config may lower or raise some of these per broker; the value here is then the default.
 */

// ---- Kafka and native connections (src/broker) ----
export const CONNECTION_LIMITS = {
  /** Largest request frame accepted; a larger size prefix closes the connection before buffering. */
  frameBytesMax: 100 * 1024 * 1024,
  /** Requests read but not yet answered on one connection; past this, reading pauses. */
  inFlightRequestsMax: 1000,
  /** Bytes of requests read but not yet answered on one connection; past this, reading pauses. */
  inFlightBytesMax: 64 * 1024 * 1024,
  /** Bytes queued on a socket not yet flushed before the connection stops reading. */
  pendingWriteBytesMax: 16 * 1024 * 1024,
  /** Connections open at once on one listener. */
  connectionsMax: 10_000,
  /** Reused read buffer of one Kafka connection; a larger request is read into a buffer of its own. */
  readScratchBytes: 64 * 1024,
  /** That buffer's size before the request's bytes arrive; it doubles up to the declared size as they do. */
  requestBufferUpfrontBytesMax: 4 * 1024 * 1024,
} as const;

// ---- Kafka request handling (src/broker) ----
export const KAFKA_BROKER_LIMITS = {
  /** Longest a Fetch long poll is held, whatever max_wait_ms asks (clients time out at 30 s). */
  fetchWaitMsMax: 30_000,
  /** Bytes one Fetch response may carry across partitions, whatever max_bytes asks (KIP-74 still returns one whole batch). */
  fetchResponseBytesMax: 64 * 1024 * 1024,
  /** Partitions named in one Produce, Fetch or ListOffsets request. */
  partitionsPerRequestMax: 100_000,
  /** Partitions of one topic (CreateTopics, CreatePartitions, auto-creation). */
  partitionsPerTopicMax: 100_000,
  /** Topic name length (Kafka's Topic.MAX_NAME_LENGTH). */
  topicNameLengthMax: 249,
  /** Fetch requests parked in long polls on one broker; past this, new ones answer at once. */
  parkedFetchesMax: 100_000,
  /** Bytes read ahead for consumers that are behind, all partitions together (partitions/read-ahead.ts). */
  readAheadBytesMax: 64 * 1024 * 1024,
  /** Reads made ahead and not yet asked for, per partition (one per consumer position). */
  readAheadsPerPartitionMax: 4,
  /** A read made ahead that no Fetch asks for within this time is dropped. */
  readAheadIdleMs: 5_000,
} as const;

// ---- Partition log / WAL (src/storage) ----
export const STORAGE_LIMITS = {
  /** Largest single batch a log accepts. */
  batchBytesMax: 16 * 1024 * 1024,
  /** Default segment size before rotation. */
  segmentBytesDefault: 128 * 1024 * 1024,
  /** Bytes between two sparse index entries. */
  indexIntervalBytes: 4096,
  /** Shared tail cache of recent batches, all partitions together. */
  tailCacheBytesMax: 256 * 1024 * 1024,
  /** A partition's new batches enter the tail cache only if it was read within this time. */
  tailCacheReaderIdleMs: 60_000,
  /** Group commit: flush once this many bytes are pending even if the window is open. */
  groupCommitBytesMax: 4 * 1024 * 1024,
  /** Group commit: longest a pending append waits for its window to close. */
  groupCommitWindowMs: 1,
  /**
   * Bytes one log writes per flush cycle (one writev) with fsync interval or never; the rest goes
   * in the next. 2 MiB: no fdatasync to overlap, so fewer round trips to the thread pool win
   * (bench:wal interval 16 KiB: 295-353 MB/s at 512 KiB, 391-526 MB/s at 2 MiB, A/B under load).
   */
  writeBytesMax: 2 * 1024 * 1024,
  /**
   * The same with fsync always: more pending is written in parts, the next part while the
   * fdatasync of the previous one runs. 1 MiB: 64
   * appenders of 16 KiB get one fdatasync and one writev per MiB instead of two (bench:wal
   * BENCH_ONLY=ratio, 5 A/B pairs back to back at load 6-9: CPU median 3.2 -> 2.5 ms per MB,
   * ratio median 0.44 -> 0.50 but spread 0.32-0.71 vs 0.31-0.55, noise; see docs/storage.md).
   */
  alwaysWriteBytesMax: 1024 * 1024,
  /**
   * fdatasyncs of one fsync `always` log running at once (sync-stage.ts): the second starts as soon
   * as frames are written during the first, so they wait for their own fdatasync only, not for the
   * end of the running one first (docs/storage.md, "Two fdatasyncs in flight").
   */
  alwaysSyncsInFlightMax: 2,
  /**
   * A write of at most this many bytes goes to the page cache from the event loop (writevSync,
   * ~10-30 us) instead of libuv's thread pool, whose two thread wake-ups cost more than the copy
   * and on a busy machine delayed small writes by ms (bench:kafka at 10k msg/s: pool writev p99
   * 2.1 ms at load 3.7). Larger writes stay on the pool, where they overlap other work.
   */
  inlineWriteBytesMax: 64 * 1024,
  /** Bytes written from the event loop in one turn of it, all logs together; past it, writes go to the pool. */
  inlineWriteTurnBytesMax: 256 * 1024,
  /**
   * An fdatasync of at most this many bytes written since the last runs on the event loop, not the
   * pool (inline-io-budget.ts; docs/storage.md, "fdatasync from the event loop": fsync `always` at
   * 10k msg/s, broker CPU per request ~190 -> ~125 us). Larger ones take longer and stay on the pool.
   */
  inlineSyncDirtyBytesMax: 64 * 1024,
  /** Milliseconds of inline fdatasyncs per turn of the event loop, all logs together; past it, they go to the pool. */
  inlineSyncTurnMsMax: 1,
  /**
   * Past this running mean of inline fdatasync durations (each new one weighted inlineSyncMeanWeight:
   * one 12 ms outlier among 0.3 ms ones gives ~1.5 ms), fdatasyncs go to the pool for inlineSyncBackoffMs.
   */
  inlineSyncSlowMeanMs: 2,
  inlineSyncMeanWeight: 0.1,
  inlineSyncBackoffMs: 1000,
  /**
   * libuv thread-pool threads (UV_THREADPOOL_SIZE, default 4), set by the `tributary` command
   * unless the environment sets it. Every WAL fdatasync, and every writev past the inline caps
   * above, runs on that pool, and an fdatasync holds its thread for the whole flush, so with many
   * partitions flushing at once four threads make writes and reads queue behind syncs.
   */
  ioThreadsDefault: 16,
  /** Bytes of appends waiting for the group commit, all partitions together; past this, appends are refused. */
  pendingAppendBytesMax: 256 * 1024 * 1024,
  /** Bytes read at once when recovery scans a segment. */
  scanChunkBytes: 1024 * 1024,
  /** Smallest read issued for a read from disk (a larger budget reads more, a larger batch is read whole). */
  readChunkBytesMin: 64 * 1024,
  /** Largest read issued for a read from disk (a larger batch is still read whole). */
  readChunkBytesMax: 8 * 1024 * 1024,
  /** How often the log manager applies retention to every open log. */
  retentionCheckIntervalMs: 60_000,
  /**
   * Durable bytes of a segment gathered before they are dropped from the page cache in one call
   * (page-cache.ts): with fsync `always` an fdatasync covers a few KiB, and one fadvise per MiB
   * instead of one per fdatasync keeps the syscall off the per-request path.
   */
  syncedPageDropBytesMin: 1024 * 1024,
  /**
   * The newest durable bytes of a segment that stay in the page cache (page-cache.ts): what a
   * consumer just behind the tip, or a group restarting, reads next. Older durable bytes are
   * dropped. bench:kafka could not tell 0, 64 MiB and never dropping apart (3 x 2 runs, load 2.3-2.7).
   */
  pageCacheKeepBytes: 64 * 1024 * 1024,
} as const;

// ---- Cluster metadata (src/coordination) ----
export const COORDINATION_LIMITS = {
  /** Largest value stored under one key (etcd's default request limit is 1.5 MiB). */
  valueBytesMax: 1024 * 1024,
  /** Operations plus compares in one transaction (etcd's default --max-txn-ops is 128). */
  txnOpsMax: 128,
  /** Embedded store: committed transactions waiting for their group-commit fsync; past this, writes are refused. */
  embeddedPendingCommitsMax: 100_000,
  /** Embedded store, under load (a flush ended within this window): how long a group's first commit waits for others to share its fdatasync. */
  embeddedGroupCommitWindowMs: 5,
  /** Embedded store: transaction-log bytes after which a snapshot is written and the log restarts. */
  embeddedLogBytesMax: 16 * 1024 * 1024,
  /** Watches open at once on one store client. */
  watchesMax: 10_000,
  /** etcd: deadline of every unary call (environment.md: without one a call stalls ~7 s when the leader dies). */
  etcdCallDeadlineMs: 1500,
  /** etcd: longest wait for etcd to confirm a new watch (a stream call, so no gRPC deadline covers it). */
  etcdWatchCreateMsMax: 5000,
  /**
   * etcd: attempts of a failed unary call (each moves to another member). With the backoff in
   * etcd-client.ts (50 ms doubling to 500 ms) 8 attempts span about 2.3 s, longer than a raft
   * election (1 s election timeout, one or two rounds): 3 attempts (150 ms) made a write during
   * an election fail on every member (CI flake in etcd-failover.test.ts). A member whose circuit
   * breaker is open is skipped, so a fully unreachable etcd still fails fast.
   */
  etcdCallRetriesMax: 8,
  /** etcd: keys per page of a prefix listing (pages at one revision make one consistent list). */
  etcdListPageKeysMax: 100,
  /** etcd: largest response accepted (a full page of largest values fits: 100 x 1 MiB). */
  etcdResponseBytesMax: 128 * 1024 * 1024,
  /** etcd: shortest lease TTL it honours (etcd rounds shorter grants up to its minimum TTL). */
  etcdLeaseTtlMsMin: 2000,
  /**
   * etcd: a kept-alive lease whose renewals are overdue is not current (its holder stops acting)
   * but is declared lost only after this many TTLs without a confirmed renewal (etcd3's own bound):
   * a raft election delays renewals, and the new leader extends every lease (see etcd-lease.ts).
   */
  leaseOverdueTtlsMax: 2,
  /** Default TTL of broker registrations and controller leases: must outlive an etcd leader election plus a keepalive interval. */
  clusterLeaseTtlMsDefault: 10_000,
  /** Longest pause before a failed controller campaign or assignment round is retried. */
  clusterRetryDelayMsMax: 1000,
  /** The controller re-checks assignments this often even without a watch event. */
  clusterReconcileIntervalMs: 30_000,
  /** Rebalancing: partitions handed off to less loaded brokers in one round (each round waits for all its handoffs). */
  rebalanceMovesPerRoundMax: 2,
  /** Rebalancing: pause after a round's handoffs complete before the next round, so moves never storm. */
  rebalancePauseMs: 1000,
  /** Rebalancing: a broker receives moved partitions only once registered this long (a flapping broker never does). */
  rebalanceBrokerAgeMsMin: 5000,
  /** Rebalancing: longest wait for an owner to upload and answer a handoff request; past it the request is cancelled. */
  rebalanceHandoffMsMax: 30_000,
  /** `admin partition move`: default longest wait for the reassignment (--timeout-ms); past rebalanceHandoffMsMax, so a controller's cancel is seen and reported. */
  partitionMoveWaitMsDefault: 45_000,
  /** `admin partition move`: the store is read this often while waiting (a watch wakes it sooner). */
  partitionMovePollMs: 250,
  /** `admin partition move`: a progress line on stderr this often while waiting. */
  partitionMoveProgressMs: 2000,
  /** `admin partition move`: compare-and-delete attempts on a refused request racing the controller's own delete. */
  partitionMoveWithdrawAttempts: 5,
} as const;

// ---- Consumer groups (src/broker/groups) ----
export const GROUP_LIMITS = {
  /** Groups one coordinator holds in memory (members or committed offsets); a new group past this is refused. */
  groupsMax: 100_000,
  /** Members of one group (Kafka group.max.size); a join past this answers GROUP_MAX_SIZE_REACHED. */
  membersPerGroupMax: 1000,
  /** Members told MEMBER_ID_REQUIRED that have not rejoined yet, per group (KIP-394). */
  pendingMembersPerGroupMax: 1000,
  /** Longest a JoinGroup response is held, whatever rebalance timeout members ask (platformatic times out at 30 s). */
  joinWaitMsMax: 25_000,
  /**
   * Default wait for more members when an Empty group starts rebalancing (Kafka
   * group.initial.rebalance.delay.ms is 3 s). Shorter here: consumers started together still land
   * in one generation, and every first join in tests does not pay 3 s.
   */
  initialRebalanceDelayMsDefault: 300,
  /** Session timeouts accepted by JoinGroup (Kafka group.min/max.session.timeout.ms). */
  sessionTimeoutMsMin: 6000,
  sessionTimeoutMsMax: 1_800_000,
  /** Metadata string of one committed offset (Kafka offset.metadata.max.bytes). */
  offsetMetadataBytesMax: 4096,
  /** Partitions in one OffsetCommit, OffsetFetch or OffsetDelete request. */
  offsetPartitionsPerRequestMax: 100_000,
  /** Committed offsets one coordinator keeps, all groups together. */
  committedOffsetsMax: 10_000_000,
  /** Length of a group id (it becomes part of a metadata key). */
  groupIdLengthMax: 1024,
  /** An Empty group without committed offsets is forgotten this long after it emptied (Kafka's offsets.retention.check.interval.ms). */
  emptyGroupRetentionMs: 600_000,
  /**
   * How long a group another broker claimed from this one is answered NOT_COORDINATOR whatever
   * this broker's view says (coordinator-fence.ts): covers the moment two brokers' views disagree
   * about who coordinates the group (a broker joining), and bounds a stand-off if they disagree longer.
   */
  movedGroupHoldMs: 3000,
} as const;

// ---- Idempotent producers (src/broker/producers) ----
export const PRODUCER_LIMITS = {
  /** Producer ids reserved per persisted allocation (one metadata write per block). */
  producerIdBlockSize: 1000,
  /** Batches remembered per (producer, partition) for duplicate detection (Kafka NumBatchesToRetain; clients keep <= 5 in flight). */
  batchesPerProducerMax: 5,
  /** Producers tracked per partition; past this the least recently used is forgotten. */
  producersPerPartitionMax: 10_000,
  /** A producer idle this long is forgotten (Kafka producer.id.expiration.ms); also bounds the rebuild scan. */
  producerIdExpirationMs: 86_400_000,
  /** Bytes read per step while rebuilding producer state from a partition's log. */
  rebuildReadBytes: 1024 * 1024,
  /**
   * Offsets below the high watermark that a rebuild reads at most when a partition opens, so a
   * restart never rereads a whole day of a busy log; producers silent for longer answer
   * UNKNOWN_PRODUCER_ID once and start over (librdkafka bumps its epoch).
   */
  rebuildScanOffsetsMax: 1_000_000,
} as const;

// ---- Native protocol and subscriptions (src/protocol/native, src/broker/native, src/client) ----
export const NATIVE_LIMITS = {
  /** Largest native frame (after the 5-byte prefix); a larger length closes the connection before buffering. */
  frameBytesMax: 16 * 1024 * 1024,
  /** Producers plus consumers open on one native connection. */
  handlesPerConnectionMax: 10_000,
  /** Subscriptions one broker dispatches at once (each holds a bounded buffer and a reader per partition). */
  subscriptionsMax: 10_000,
  /** Messages read from the log ahead of consumer permits, per subscription (flow control bound). */
  dispatchBufferMessagesMax: 10_000,
  /** Pushed MESSAGE frames gathered into one socket write, at most this many bytes. */
  pushWriteBytesMax: 256 * 1024,
  /**
   * Bytes one log read of the dispatcher may fetch: 4 MiB, as kcat's fetch.message.max.bytes in
   * bench:kafka. With 1 MiB a 1 KiB Exclusive consume cost the broker ~1-2 us more per message
   * (more reads of about one batch each, and more garbage collection).
   */
  dispatchReadBytesMax: 4 * 1024 * 1024,
  /**
   * Bytes one compressed Kafka batch may decompress to for native dispatch (4x the largest
   * stored batch, STORAGE_LIMITS.batchBytesMax); a larger one stops its partition's dispatch with a logged error.
   */
  decompressedBatchBytesMax: 64 * 1024 * 1024,
  /** Permits one consumer may hold; FLOW beyond it is capped. */
  consumerPermitsMax: 100_000,
  /** Unacked messages delivered to one consumer; past it the consumer gets nothing new. */
  consumerUnackedMessagesMax: 50_000,
  /** Default ack timeout of Shared/Key_Shared subscriptions before redelivery. */
  ackTimeoutMsDefault: 30_000,
  /** First nack redelivery delay; doubles per redelivery up to nackBackoffMsMax. */
  nackBackoffMsMin: 100,
  nackBackoffMsMax: 10_000,
  /** Redeliveries before a message goes to the dead-letter topic. */
  maxRedeliveriesDefault: 5,
  /** Acked ranges kept per partition cursor; beyond it the oldest gaps are kept and acks wait. */
  cursorAckedRangesMax: 10_000,
  /** Longest a cursor change waits before it is persisted when no ack asked for a receipt. */
  cursorFlushMs: 100,
  /** Messages in one SEND frame. */
  sendMessagesMax: 10_000,
  /** Client: messages buffered in a producer before send() waits (linger batching). */
  clientProducerPendingMessagesMax: 10_000,
  /** Client: record bytes sent and not yet acknowledged before send() waits (64 MiB of 1 KiB messages in flight cost the broker ~1.5x CPU per message). */
  clientProducerPendingBytesMax: 16 << 20,
  /** Client: default linger before a partial batch is sent. */
  clientLingerMsDefault: 1,
  /** Client: messages received but not yet taken from the iterator; permits are granted below it. */
  clientReceiverQueueMessages: 1_000,
  /** Client: longest wait for a reply to a request. */
  clientRequestTimeoutMs: 30_000,
  /** Client: reconnect backoff bounds. */
  clientReconnectMsMin: 50,
  clientReconnectMsMax: 2_000,
} as const;

// ---- Object-store tier (src/storage/tier, src/storage/objects) ----
export const TIER_LIMITS = {
  /** Target size of a block inside an object: the unit of one range read (a larger batch is its own block). */
  blockBytes: 1024 * 1024,
  /** Bytes one upload cycle puts into one object, all partitions together; the rest waits for the next cycle. */
  objectBytesMax: 64 * 1024 * 1024,
  /**
   * Bytes the uploader asks the local log for per read: the WAL's largest disk read
   * (STORAGE_LIMITS.readChunkBytesMax), so 64 MiB of one partition take 8 reads, not 64.
   */
  uploadReadBytes: 8 * 1024 * 1024,
  /** Partition ranges in one object: keeps its descriptor well under COORDINATION_LIMITS.valueBytesMax (~200 bytes a range). */
  rangesPerObjectMax: 2000,
  /**
   * Default nice value (Linux, per thread) of the upload read worker (the uploads' preads and
   * frame checks). 0 turns it off: the reads on the event loop and the libuv pool. tier.uploadNice.
   */
  uploadNiceDefault: 10,
  /**
   * Default nice value of opendal's runtime threads (tier.opendalNice): 0, left alone. They also
   * put every durability-cloud commit: at nice 10 its p99 rose from 76-81 to 138-151 ms (19: 621 ms)
   * with the process's other threads keeping both cores busy (bench:tier cloud, session 7).
   */
  opendalNiceDefault: 0,
  /** Reads queued on the upload read worker, all uploaders together (each uploader reads one at a time). */
  uploadReadsInFlightMax: 4,
  /** Default period of the background uploader. */
  uploadIntervalMsDefault: 30_000,
  /** Default period of the cloud-durability commit loop (one object per commit, all cloud partitions). */
  cloudCommitIntervalMsDefault: 50,
  /** Produces waiting for a cloud commit, bytes across partitions; past this, appends are refused. */
  cloudPendingBytesMax: 256 * 1024 * 1024,
  /** Retries of a failed upload back off exponentially up to this wait. */
  uploadBackoffMsMax: 30_000,
  uploadBackoffMsMin: 100,
  /** Blocks read ahead of a reader replaying history from objects, per partition. */
  prefetchBlocks: 4,
  /** Bytes of fetched or prefetched blocks cached, all partitions together. */
  blockCacheBytesMax: 128 * 1024 * 1024,
  /** Objects whose descriptor is missing are deleted only when older than this (an upload may be in flight). */
  orphanGraceMs: 10 * 60_000,
  /** Default period of the cloud retention loop. */
  retentionIntervalMsDefault: 60_000,
  /** Objects deleted per retention pass; the rest waits for the next pass. */
  retentionDeletesPerPassMax: 1000,
  /**
   * fs backend: a put is handed to opendal in pieces of this size (its Writer; still one staged
   * file, fsynced and renamed at close). opendal copies what it is given into new memory: a whole
   * 64 MiB object cost 1.4-1.9 ms CPU per MiB on this VM, 2-4 MiB pieces 0.75-0.95 (8 MiB erratic).
   */
  fsPutChunkBytes: 4 * 1024 * 1024,
  /**
   * s3 and azblob: a put larger than this is handed to opendal's Writer in pieces of at most this
   * size (s3 parts of a multipart upload, Azure blocks; committed at close, invisible before).
   * opendal copies what it is given: a whole 64 MiB object took 256 fresh-page faults per MiB
   * (~0.9 ms CPU per MiB in its threads); pieces reuse the memory earlier pieces freed. Larger
   * pieces mean fewer requests (a 64 MiB object: 5 s3 parts or Azure blocks, plus the commit).
   * At most 32 MiB (glibc's largest mmap threshold); at least 10 MiB so equal pieces stay over
   * s3's 5 MiB part minimum.
   */
  remotePutPieceBytes: 16 * 1024 * 1024,
} as const;

/** Serving in a multi-broker cluster (src/broker/cluster). */
export const CLUSTER_SERVING_LIMITS = {
  /** Period of the timer that proves the process is not paused. */
  pauseTickMs: 100,
  /** A broker whose timer has not run for this long refuses to act as owner until it has checked its lease. */
  pauseToleranceMs: 1000,
  /** Wait between attempts to register again after the lease was lost. */
  rejoinDelayMs: 500,
  /** Lease TTL of broker registrations and the controller by default (metadata.leaseTtlMs): bounds failover detection. */
  leaseTtlMsDefault: 3000,
  /** Drain: wait for requests already past the ownership check before the final upload. */
  drainSettleMs: 200,
  /** Drain: longest wait for the controller to move every partition away. */
  drainHandoffMsMax: 30_000,
  /** CreateTopics/CreatePartitions/DeleteTopics: longest wait for the controller's assignment, whatever timeoutMs the client sent. */
  topicAdminWaitMsMax: 60_000,
  /** Those waits look at the broker's (watch-fed, in-memory) cluster view this often. */
  topicAdminPollMs: 25,
  /** A broker measures its load (messages in per second) over this interval and publishes it when it changed (load-reporter.ts). */
  loadReportIntervalMs: 2000,
} as const;

// ---- The broker's Node process (src/cli/heap-growth.ts) ----
export const PROCESS_LIMITS = {
  /**
   * V8's old-generation growing factor, as 1 + percent/100: after a mark-compact the next one
   * starts once the heap, plus the ArrayBuffer bytes allocated since and still held, reaches the
   * heap left live times this factor. 300 is the largest factor V8 picks on its own (4x, for a
   * heap it collects quickly). Left to its heuristic, V8 took ~1.5x on the broker's ~15 MB heap,
   * so a produce stream of 1 MB requests started a mark-compact every 26-41 MB (46 per 1.2 GB,
   * ~13 % of the event loop, pauses up to 14 ms); at 300 it ran one in 3 GB (docs/broker.md,
   * "Session 8"). The default of config runtime.heapGrowingPercent; 0 leaves V8's heuristic.
   */
  heapGrowingPercent: 300,
} as const;

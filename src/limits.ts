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
  /** Group commit: flush once this many bytes are pending even if the window is open. */
  groupCommitBytesMax: 4 * 1024 * 1024,
  /** Group commit: longest a pending append waits for its window to close. */
  groupCommitWindowMs: 1,
} as const;

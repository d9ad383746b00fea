/**
 * Structs several messages share (Kafka's commonStructs). Each takes the version range of the
 * field it sits in, since its fields exist exactly when that field does.
 */

/** NodeEndpoint (KIP-951): where a new leader lives, sent with NOT_LEADER_OR_FOLLOWER. */
export function nodeEndpointFields<const V extends string>(versions: V) {
  return [
    { name: 'nodeId', type: 'int32', versions },
    { name: 'host', type: 'string', versions },
    { name: 'port', type: 'int32', versions },
    { name: 'rack', type: 'string', versions, nullableVersions: versions, default: null },
  ] as const;
}

/** LeaderIdAndEpoch (KIP-951). */
export function leaderIdAndEpochFields<const V extends string>(versions: V) {
  return [
    { name: 'leaderId', type: 'int32', versions, default: -1 },
    { name: 'leaderEpoch', type: 'int32', versions, default: -1 },
  ] as const;
}

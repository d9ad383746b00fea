/**
 * Error codes carried by ERROR frames (docs/native-protocol.md §4). One frozen table; the broker
 * maps exceptions to a code in one place (src/broker/native/error-mapping.ts).
 */
export const NATIVE_ERRORS = Object.freeze({
  unknown: 1,
  malformedFrame: 2,
  unsupportedVersion: 3,
  unknownFrameType: 4,
  authenticationFailed: 5,
  notConnected: 6,
  topicNotFound: 7,
  notOwner: 8,
  producerBusy: 9,
  consumerBusy: 10,
  schemaMismatch: 11,
  schemaValidation: 12,
  messageTooLarge: 13,
  policyViolation: 14,
  unknownProducer: 15,
  unknownConsumer: 16,
  subscriptionTypeMismatch: 17,
  invalidRequest: 18,
  storageError: 19,
  namespaceNotFound: 20,
  alreadyExists: 21,
  serviceNotReady: 22,
} as const);

export type NativeErrorName = keyof typeof NATIVE_ERRORS;

const NAMES = new Map<number, NativeErrorName>(
  Object.entries(NATIVE_ERRORS).map(([name, code]) => [code, name as NativeErrorName]),
);

export function nativeErrorName(code: number): NativeErrorName {
  return NAMES.get(code) ?? 'unknown';
}

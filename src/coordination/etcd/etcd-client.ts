import { circuitBreaker, ConsecutiveBreaker, ExponentialBackoff, handleWhen, isBrokenCircuitError, retry } from 'cockatiel';
import { Etcd3, EtcdLeaseInvalidError, isRecoverableError } from 'etcd3';
import { COORDINATION_LIMITS } from '../../limits';
import { CoordinationError } from '../errors';

/**
 * An etcd3 client with a deadline on every unary call and bounded retries. environment.md §3:
 * `timeout` call options do nothing and, without a deadline, a call stalls ~7 s when the etcd
 * leader dies; with one it fails fast and the retry moves it to another member. Streams (watch,
 * keepalive) get no deadline: they live as long as the client.
 */
export function createEtcdClient(endpoints: string[]): Etcd3 {
  return new Etcd3({
    hosts: endpoints,
    dialTimeout: COORDINATION_LIMITS.etcdCallDeadlineMs,
    grpcOptions: { 'grpc.max_receive_message_length': COORDINATION_LIMITS.etcdResponseBytesMax },
    defaultCallOptions: (context) =>
      (context.isStream ? {} : { deadline: Date.now() + COORDINATION_LIMITS.etcdCallDeadlineMs }),
    faultHandling: {
      global: retry(handleWhen(isRecoverableError), {
        maxAttempts: COORDINATION_LIMITS.etcdCallRetriesMax,
        backoff: new ExponentialBackoff({ initialDelay: 50, maxDelay: 500 }),
      }),
      // A member that failed 3 calls in a row is skipped for 1 s (etcd3's default is 5 s, too long
      // for a single-member cluster coming back from a restart).
      host: () => circuitBreaker(handleWhen(isRecoverableError), { halfOpenAfter: 1000, breaker: new ConsecutiveBreaker(3) }),
    },
  });
}

/** Turns etcd3 errors into CoordinationErrors with a stable code; the original stays as cause. */
export function toCoordinationError(error: unknown, action: string): CoordinationError {
  if (error instanceof CoordinationError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof EtcdLeaseInvalidError) {
    return new CoordinationError('LEASE_NOT_FOUND', `${action}: lease does not exist (expired or revoked)`, { cause: error });
  }
  if (error instanceof Error && (isRecoverableError(error) || isBrokenCircuitError(error))) {
    return new CoordinationError('STORE_UNAVAILABLE', `${action}: etcd unavailable: ${message}`, { cause: error });
  }
  return new CoordinationError('STORE_FAILED', `${action}: ${message}`, { cause: error });
}

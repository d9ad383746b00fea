/**
 * Native topic names are `/namespace/name`; the partition log is the Kafka topic `name` in the
 * default namespace and `namespace.name` elsewhere (ARCHITECTURE §2). A bare `name` is
 * `/default/name`. Namespace names use [a-zA-Z0-9_-] so the mapping is reversible.
 */
import { validateTopicName } from '../topics/topic-name';
import { NativeError } from './native-error';

export const DEFAULT_NAMESPACE = 'default';
const NAMESPACE = /^[a-zA-Z0-9_-]{1,64}$/;

export interface NativeTopicName {
  namespace: string;
  local: string;
  /** `/namespace/local` */
  full: string;
  /** The partition log's (Kafka) topic name. */
  kafka: string;
}

export function validateNamespace(namespace: string): void {
  if (!NAMESPACE.test(namespace)) {
    throw new NativeError('invalidRequest', `namespace "${namespace}" must be 1-64 chars of ASCII letters, digits, '_' and '-'`);
  }
}

export function parseTopicName(name: string): NativeTopicName {
  let namespace = DEFAULT_NAMESPACE;
  let local = name;
  if (name.startsWith('/')) {
    const parts = name.slice(1).split('/');
    if (parts.length !== 2) throw new NativeError('invalidRequest', `topic "${name}" must look like /namespace/name`);
    [namespace, local] = parts;
  }
  validateNamespace(namespace);
  if (local.length === 0) throw new NativeError('invalidRequest', `topic "${name}" has an empty name`);
  const kafka = namespace === DEFAULT_NAMESPACE ? local : `${namespace}.${local}`;
  try {
    validateTopicName(kafka);
  } catch (err) {
    throw new NativeError('invalidRequest', `topic "${name}": ${(err as Error).message}`);
  }
  return { namespace, local, full: `/${namespace}/${local}`, kafka };
}

/** The native name of a Kafka topic: `a.b` is `/a/b` when namespace `a` exists, else `/default/a.b`. */
export function nativeNameOf(kafka: string, namespaceExists: (ns: string) => boolean): string {
  const dot = kafka.indexOf('.');
  if (dot > 0) {
    const ns = kafka.slice(0, dot);
    if (ns !== DEFAULT_NAMESPACE && NAMESPACE.test(ns) && namespaceExists(ns)) return `/${ns}/${kafka.slice(dot + 1)}`;
  }
  return `/${DEFAULT_NAMESPACE}/${kafka}`;
}

/**
 * ADMIN operations (docs/native-protocol.md §6): topics, subscriptions, namespaces, brokers.
 * The request and result are JSON; a bad request is an invalidRequest error, never a crash.
 */
import type { MessageOf, SchemaInfo } from '../../../protocol/native/messages';
import { SCHEMA_TYPES } from '../../../protocol/native/messages';
import type { NativeContext, NativeHandler } from '../native-context';
import { NativeError } from '../native-error';
import { nativeNameOf, parseTopicName } from '../topic-names';

type Request = Record<string, unknown>;
type Operation = (context: NativeContext, request: Request) => Promise<unknown>;

function text(request: Request, field: string): string {
  const value = request[field];
  if (typeof value !== 'string' || value.length === 0) throw new NativeError('invalidRequest', `field "${field}" must be a non-empty string`);
  return value;
}

function schemaFrom(value: unknown): SchemaInfo | null {
  if (value === undefined || value === null) return null;
  const s = value as { type?: unknown; definition?: unknown };
  if (!SCHEMA_TYPES.includes(s.type as SchemaInfo['type'])) throw new NativeError('invalidRequest', `schema type must be one of ${SCHEMA_TYPES.join(', ')}`);
  const definition = s.definition === undefined || s.definition === null ? null : typeof s.definition === 'string' ? s.definition : JSON.stringify(s.definition);
  return { type: s.type as SchemaInfo['type'], definition };
}

const OPERATIONS: Record<string, Operation> = {
  'topics.list': async (ctx, req) => {
    const ns = req.namespace === undefined ? null : text(req, 'namespace');
    const topics = ctx.services.topics.list()
      .map((t) => ({ name: nativeNameOf(t.name, (n) => ctx.namespaces.exists(n)), kafkaName: t.name, partitions: t.partitions }))
      .filter((t) => ns === null || t.name.startsWith(`/${ns}/`));
    return { topics };
  },
  'topics.create': async (ctx, req) => {
    const topic = parseTopicName(text(req, 'topic'));
    const partitions = req.partitions === undefined ? 1 : Number(req.partitions);
    if (ctx.services.topics.get(topic.kafka)) throw new NativeError('alreadyExists', `topic ${topic.full} already exists`);
    ctx.namespaces.policiesOf(topic.namespace);
    await ctx.topicMeta.put(topic.kafka, { schema: schemaFrom(req.schema), reliable: req.reliable !== false });
    await ctx.publisher.ensureTopic(topic, partitions);
    return { topic: topic.full };
  },
  'topics.describe': async (ctx, req) => {
    const topic = parseTopicName(text(req, 'topic'));
    const record = ctx.services.topics.get(topic.kafka);
    if (!record) throw new NativeError('topicNotFound', `topic ${topic.full} does not exist`);
    const meta = await ctx.topicMeta.get(topic.kafka);
    const highWatermarks = await Promise.all(Array.from({ length: record.partitions }, async (_, p) =>
      (await ctx.services.partitions.get(record.name, p)).highWatermark().toString()));
    const subscriptions = await listSubscriptions(ctx, record.name);
    return { name: topic.full, kafkaName: record.name, partitions: record.partitions, reliable: meta.reliable, schema: meta.schema, highWatermarks, subscriptions };
  },
  'topics.delete': async (ctx, req) => {
    const topic = parseTopicName(text(req, 'topic'));
    for (const name of await ctx.subscriptions.persistedNames(topic.kafka)) await ctx.subscriptions.delete(topic.kafka, name);
    await ctx.services.topics.delete(topic.kafka);
    await ctx.topicMeta.delete(topic.kafka);
    return {};
  },
  'subscriptions.list': async (ctx, req) => ({ subscriptions: await listSubscriptions(ctx, parseTopicName(text(req, 'topic')).kafka) }),
  'subscriptions.delete': async (ctx, req) => {
    await ctx.subscriptions.delete(parseTopicName(text(req, 'topic')).kafka, text(req, 'subscription'));
    return {};
  },
  'namespaces.list': async (ctx) => ({ namespaces: ctx.namespaces.list() }),
  'namespaces.create': async (ctx, req) => {
    await ctx.namespaces.create(text(req, 'namespace'), req.policies);
    return {};
  },
  'namespaces.setPolicies': async (ctx, req) => {
    await ctx.namespaces.setPolicies(text(req, 'namespace'), req.policies);
    return {};
  },
  'namespaces.delete': async (ctx, req) => {
    const ns = text(req, 'namespace');
    const hasTopics = ctx.services.topics.list().some((t) => t.name.startsWith(`${ns}.`));
    await ctx.namespaces.delete(ns, hasTopics);
    return {};
  },
  'brokers.list': async (ctx) => ({
    brokers: ctx.services.cluster.brokers().map((b) => ({ id: b.nodeId, address: `${b.host}:${b.port}` })),
  }),
};

async function listSubscriptions(ctx: NativeContext, kafkaTopic: string) {
  const loaded = new Map(ctx.subscriptions.listOf(kafkaTopic).map((e) => [e.subscription.name, e]));
  const names = new Set([...loaded.keys(), ...(await ctx.subscriptions.persistedNames(kafkaTopic))]);
  return [...names].sort().map((name) => {
    const entry = loaded.get(name);
    if (!entry) return { name, type: null, consumers: [], backlog: null };
    const backlog = entry.partitions.reduce((sum, partition, p) => {
      const cursor = entry.subscription.cursor(p)!;
      const end = partition.highWatermark();
      const from = cursor.markDelete();
      return end > from ? sum + Number(end - from - cursor.ackedCountBetween(from, end)) : sum;
    }, 0);
    return { name, type: entry.subscription.type, consumers: entry.subscription.consumerNames(), backlog, redeliveries: entry.subscription.redeliveries() };
  });
}

export const admin: NativeHandler = async (session, message) => {
  const m = message as MessageOf<'admin'>;
  const operation = OPERATIONS[m.operation];
  if (!operation) throw new NativeError('invalidRequest', `unknown admin operation ${m.operation}; known: ${Object.keys(OPERATIONS).join(', ')}`);
  let request: unknown;
  try {
    request = m.request.length === 0 ? {} : JSON.parse(m.request);
  } catch {
    throw new NativeError('invalidRequest', 'admin request is not valid JSON');
  }
  if (typeof request !== 'object' || request === null || Array.isArray(request)) throw new NativeError('invalidRequest', 'admin request must be a JSON object');
  const result = await operation(session.context, request as Request);
  return { type: 'adminResult', result: JSON.stringify(result) };
};

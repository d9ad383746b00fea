/**
 * Reaching one particular broker with admin requests. Real clients send CreateTopics,
 * DeleteTopics, CreatePartitions (and kafkajs InitProducerId) to the broker Metadata names as
 * controller, so to prove any broker serves them a test either speaks the codec to a chosen
 * broker (`wireTo`) or gives kafkajs a socket factory that connects the controller's address
 * to another broker (`kafkaSteeredTo`): kafkajs then sends its controller requests there.
 */
import { connect, type Socket } from 'node:net';
import { Kafka, logLevel } from 'kafkajs';
import { CodecClient } from '../../e2e/groups-codec-client';
import type { BrokerCluster } from './broker-cluster';
import { sleep } from './broker-cluster';

export const ZERO_UUID = '00000000-0000-0000-0000-000000000000';

export interface SteeredKafka {
  kafka: Kafka;
  /** Connections kafkajs opened to the controller's address that went to the chosen broker instead. */
  steered(): number;
}

/** kafkajs bootstrapped at broker `targetId` only, its controller connections steered there too. */
export function kafkaSteeredTo(cluster: BrokerCluster, controllerId: number, targetId: number, clientId: string): SteeredKafka {
  const controllerPort = cluster.broker(controllerId).port;
  const targetPort = cluster.broker(targetId).port;
  let steered = 0;
  const kafka = new Kafka({
    clientId, brokers: [`127.0.0.1:${targetPort}`], logLevel: logLevel.NOTHING, requestTimeout: 30_000,
    retry: { retries: 10, initialRetryTime: 100, maxRetryTime: 1000 },
    socketFactory: ({ host, port, onConnect }): Socket => {
      if (port === controllerPort) steered += 1;
      return connect({ host, port: port === controllerPort ? targetPort : port }, onConnect);
    },
  });
  return { kafka, steered: () => steered };
}

/** Runs `body` with a codec client connected to broker `id`. */
export async function wireTo<T>(cluster: BrokerCluster, id: number, body: (client: CodecClient) => Promise<T>): Promise<T> {
  const client = await CodecClient.connect(cluster.broker(id).port);
  try {
    return await body(client);
  } finally {
    client.close();
  }
}

export interface TopicView {
  errorCode: number;
  topicId: string;
  /** Leader per partition index (-1: none). */
  leaders: number[];
}

/** The topic as broker `id` answers Metadata v12 (never auto-creating it). */
export function topicOn(cluster: BrokerCluster, id: number, topic: string): Promise<TopicView> {
  return wireTo(cluster, id, async (client) => {
    const response = await client.request(3, 12, { topics: [{ topicId: ZERO_UUID, name: topic }], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false });
    const t = response.topics[0] as { errorCode: number; topicId: string; partitions: Array<{ partitionIndex: number; leaderId: number }> };
    const leaders = [...t.partitions].sort((a, b) => a.partitionIndex - b.partitionIndex).map((p) => p.leaderId);
    return { errorCode: t.errorCode, topicId: t.topicId, leaders };
  });
}

/** Polls every running broker until `accept` holds for the topic as each one answers; returns their views. */
export async function untilEveryBroker(cluster: BrokerCluster, topic: string, accept: (view: TopicView) => boolean,
  timeoutMs = 15_000): Promise<TopicView[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const views = await Promise.all(cluster.brokers.filter((b) => b.process).map((b) => topicOn(cluster, b.id, topic)));
    if (views.every(accept)) return views;
    if (Date.now() > deadline) throw new Error(`${topic}: brokers never agreed: ${JSON.stringify(views)}`);
    await sleep(100);
  }
}

/** The broker Metadata names as controller. */
export async function controllerOf(cluster: BrokerCluster): Promise<number> {
  return wireTo(cluster, cluster.brokers[0].id, async (client) => (await client.request(3, 12, { topics: [], includeTopicAuthorizedOperations: false })).controllerId as number);
}

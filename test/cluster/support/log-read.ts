/**
 * The whole log of a topic as the cluster serves it now, read with kcat from the beginning to
 * the end of every partition: where each value is stored. A value stored at two positions is a
 * duplicate in the log (a consumer group re-reading one offset is not).
 */
import { run } from '../../e2e/support/run';
import type { BrokerCluster } from './broker-cluster';

export interface LogRead {
  /** value -> every "partition:offset" it is stored at. */
  positions: Map<string, string[]>;
  /** Values stored more than once. */
  duplicates(): Array<{ value: string; at: string[] }>;
}

export async function readLog(cluster: BrokerCluster, topic: string): Promise<LogRead> {
  const { stdout } = await run('kcat', ['-b', cluster.bootstrap.join(','), '-C', '-t', topic, '-o', 'beginning', '-e', '-q',
    '-f', '%p %o %s\\n'], '', 60_000);
  const positions = new Map<string, string[]>();
  for (const line of stdout.split('\n')) {
    const [partition, offset, ...rest] = line.split(' ');
    if (rest.length === 0) continue;
    const value = rest.join(' ');
    positions.set(value, [...(positions.get(value) ?? []), `${partition}:${offset}`]);
  }
  return {
    positions,
    duplicates: () => [...positions].filter(([, at]) => at.length > 1).map(([value, at]) => ({ value, at })),
  };
}

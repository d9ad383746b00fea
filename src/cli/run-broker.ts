/**
 * Runs one broker in the foreground until SIGTERM or SIGINT, then shuts down gracefully:
 * stop accepting, finish in-flight requests, flush and close logs. A second signal exits at once.
 */
import type { TributaryConfig } from '../config/schema';
import { rootLogger } from '../log';
import { startBroker } from '../broker/broker';
import { applyHeapGrowth } from './heap-growth';

export async function runBroker(config: TributaryConfig): Promise<number> {
  const log = rootLogger.child({ component: 'cli' });
  const heapGrowingPercent = applyHeapGrowth(config.runtime.heapGrowingPercent);
  let broker;
  try {
    broker = await startBroker(config);
  } catch (err) {
    log.error({ err }, 'broker failed to start');
    process.stderr.write(`tributary: broker failed to start: ${(err as Error).message}\n`);
    return 1;
  }
  log.info({ listen: broker.address, brokerId: config.broker.id, dataDir: config.data.dir, heapGrowingPercent }, 'broker started');
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) {
        log.warn({ signal }, 'second signal, exiting now');
        process.exit(1);
      }
      stopping = true;
      log.info({ signal }, 'shutting down');
      broker.close().then(
        () => {
          log.info('broker stopped');
          resolve(0);
        },
        (err: unknown) => {
          log.error({ err }, 'shutdown failed');
          resolve(1);
        },
      );
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
  });
}

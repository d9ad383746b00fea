/**
 * Starts a real broker in this process on a free loopback port with a fresh data directory,
 * for end-to-end tests with real clients over real sockets.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Broker, startBroker } from '../../../src/broker/broker';
import { loadConfig } from '../../../src/config/load';

export interface BrokerFixture {
  broker: Broker;
  /** host:port for clients */
  bootstrap: string;
  dataDir: string;
  stop(): Promise<void>;
}

export async function startTestBroker(overrides: Record<string, string> = {}): Promise<BrokerFixture> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tributary-e2e-'));
  const config = loadConfig({ env: {}, overrides: { 'broker.listen': '127.0.0.1:0', 'data.dir': dataDir, ...overrides } });
  const broker = await startBroker(config);
  const bootstrap = `127.0.0.1:${broker.address.port}`;
  return {
    broker,
    bootstrap,
    dataDir,
    async stop() {
      await broker.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

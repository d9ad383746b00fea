/**
 * The package's public API: the native TypeScript client, and the broker for embedding
 * (tests, tools). `require('tributary')` loads this through scripts/package-entry.cjs.
 */
export * from './client';
export { startBroker } from './broker/broker';
export type { Broker } from './broker/broker';
export { loadConfig } from './config/load';

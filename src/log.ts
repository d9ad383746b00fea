import pino from 'pino';

/**
 * Structured logs (pino, JSON lines). Components take a child logger named after themselves.
 * TRIBUTARY_LOG_LEVEL sets the level; tests default to silent so their output stays readable.
 */
const defaultLevel = process.env.TRIBUTARY_LOG_LEVEL ?? (process.env.npm_lifecycle_event === 'test' ? 'silent' : 'info');

export const rootLogger = pino({ level: defaultLevel, base: { app: 'tributary' } });

export type Logger = pino.Logger;

export function componentLogger(component: string, bindings: Record<string, unknown> = {}): Logger {
  return rootLogger.child({ component, ...bindings });
}

/**
 * Access to @platformatic/kafka 2.12.1's per-version encoders and decoders (an ESM package whose
 * exports hide dist/apis, so files are imported by path). Its createRequest functions take
 * positional arguments named after the Kafka fields, which lets a test feed them a sample
 * message by name.
 */
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

type PromiseWithResolvers = { withResolvers?: () => unknown };
// Node 20 lacks Promise.withResolvers, which platformatic 2.x calls (kafka-clients.md §0).
if (!(Promise as PromiseWithResolvers).withResolvers) {
  (Promise as PromiseWithResolvers).withResolvers = () => {
    let resolve!: (v: unknown) => void;
    let reject!: (e: unknown) => void;
    const promise = new Promise((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
}

const distDir = dirname(require.resolve('@platformatic/kafka'));

export interface PlatformaticApi {
  createRequest(...args: unknown[]): { buffer: Buffer };
  parseResponse(correlationId: number, apiKey: number, apiVersion: number, reader: unknown): unknown;
}

/** kebab-case message file name -> versions platformatic implements, and where. */
export function platformaticVersions(kebabName: string): Map<number, string> {
  const found = new Map<number, string>();
  for (const group of readdirSync(join(distDir, 'apis'), { withFileTypes: true })) {
    if (!group.isDirectory()) continue;
    for (const file of readdirSync(join(distDir, 'apis', group.name))) {
      const match = new RegExp(`^${kebabName}-v(\\d+)\\.js$`).exec(file);
      if (match) found.set(Number(match[1]), join(distDir, 'apis', group.name, file));
    }
  }
  return found;
}

export async function loadPlatformatic(file: string): Promise<PlatformaticApi> {
  return await import(pathToFileURL(file).href) as PlatformaticApi;
}

export async function platformaticReader(buffer: Buffer): Promise<unknown> {
  const file = join(distDir, 'protocol', 'reader.js');
  if (!existsSync(file)) throw new Error('platformatic reader not found');
  const { Reader } = await import(pathToFileURL(file).href) as { Reader: { from(b: Buffer): unknown } };
  return Reader.from(buffer);
}

/** Names of a function's positional parameters, read from its source. */
export function parameterNames(fn: (...args: never[]) => unknown): string[] {
  const source = fn.toString();
  const list = source.slice(source.indexOf('(') + 1, source.indexOf(')'));
  return list.split(',').map((p) => p.trim().replace(/=.*$/, '').trim().replace(/^_/, '')).filter(Boolean);
}

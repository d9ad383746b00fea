/** The registry of described APIs: data, looked up by api key. */
import type { ApiSpec } from '../schema';
import { ApiVersions } from './api-versions';
import { Fetch } from './fetch';
import { ListOffsets } from './list-offsets';
import { Metadata } from './metadata';
import { Produce } from './produce';

export { ApiVersions, Fetch, ListOffsets, Metadata, Produce };

export const API_SPECS: readonly ApiSpec[] = Object.freeze([Produce, Fetch, ListOffsets, Metadata, ApiVersions]);

const byKey = new Map<number, ApiSpec>(API_SPECS.map((api) => [api.apiKey, api]));

export function apiSpecByKey(apiKey: number): ApiSpec | undefined {
  return byKey.get(apiKey);
}

/** Builders for group-coordinator unit tests: a coordinator on a fake clock over a real embedded store. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedMetadataStore } from '../../../src/coordination/embedded/embedded-store';
import { clusterKeys } from '../../../src/coordination/keys';
import { GroupCoordinator, GroupCoordinatorOptions } from '../../../src/broker/groups/group-coordinator';
import type { JoinGroupInput } from '../../../src/broker/groups/group-api';
import { OffsetStore } from '../../../src/broker/groups/offset-store';
import { FakeClock } from './fake-clock';

export interface Harness {
  clock: FakeClock;
  coordinator: GroupCoordinator;
  store: EmbeddedMetadataStore;
  dir: string;
  reopen(): Promise<void>;
  close(): Promise<void>;
}

export const keys = clusterKeys('/tributary-test');

/** The initial rebalance delay of test coordinators: joins started together land in one generation. */
export const INITIAL_DELAY_MS = 100;

export async function openHarness(options: GroupCoordinatorOptions = {}): Promise<Harness> {
  const dir = await mkdtemp(join(tmpdir(), 'tributary-groups-'));
  const clock = new FakeClock();
  const full: GroupCoordinatorOptions = { clock, ...options, membership: { initialRebalanceDelayMs: INITIAL_DELAY_MS, ...options.membership } };
  const harness: Harness = {
    clock, dir,
    store: await EmbeddedMetadataStore.open(dir),
    coordinator: undefined as unknown as GroupCoordinator,
    async reopen() {
      await harness.coordinator.close();
      await harness.store.close();
      harness.store = await EmbeddedMetadataStore.open(dir);
      harness.coordinator = new GroupCoordinator(await OffsetStore.open(harness.store, keys), full);
    },
    async close() {
      await harness.coordinator.close();
      await harness.store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
  harness.coordinator = new GroupCoordinator(await OffsetStore.open(harness.store, keys), full);
  return harness;
}

export function joinInput(overrides: Partial<JoinGroupInput> = {}): JoinGroupInput {
  return {
    groupId: 'g', memberId: '', groupInstanceId: null, requireKnownMemberId: false, clientId: 'client', clientHost: '/127.0.0.1',
    sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 20_000, protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: Buffer.from('m') }], ...overrides,
  };
}

/** Joins a new dynamic member the v4+ way (MEMBER_ID_REQUIRED, then rejoin) and returns its id and parked join. */
export async function joinNew(coordinator: GroupCoordinator, overrides: Partial<JoinGroupInput> = {}) {
  const first = await coordinator.join(joinInput({ requireKnownMemberId: true, ...overrides }));
  if (first.error !== 'member-id-required') throw new Error(`expected member-id-required, got ${first.error}`);
  const memberId = first.memberId;
  return { memberId, joined: coordinator.join(joinInput({ requireKnownMemberId: true, ...overrides, memberId })) };
}

/** Joins and lets the initial delay pass; resolves with the join result. */
export async function joinSettled(h: Harness, overrides: Partial<JoinGroupInput> = {}) {
  const joined = h.coordinator.join(joinInput(overrides));
  await h.clock.advance(INITIAL_DELAY_MS);
  return joined;
}

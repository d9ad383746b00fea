/** The registry of described APIs: data, looked up by api key. */
import type { ApiSpec } from '../schema';
import { AlterConfigs, IncrementalAlterConfigs } from './alter-configs';
import { ApiVersions } from './api-versions';
import { CreatePartitions } from './create-partitions';
import { CreateTopics } from './create-topics';
import { DeleteGroups } from './delete-groups';
import { DeleteTopics } from './delete-topics';
import { DescribeCluster } from './describe-cluster';
import { DescribeConfigs } from './describe-configs';
import { DescribeGroups } from './describe-groups';
import { Fetch } from './fetch';
import { FindCoordinator } from './find-coordinator';
import { Heartbeat } from './heartbeat';
import { InitProducerId } from './init-producer-id';
import { JoinGroup } from './join-group';
import { LeaveGroup } from './leave-group';
import { ListGroups } from './list-groups';
import { ListOffsets } from './list-offsets';
import { Metadata } from './metadata';
import { OffsetCommit } from './offset-commit';
import { OffsetDelete } from './offset-delete';
import { OffsetFetch } from './offset-fetch';
import { Produce } from './produce';
import { SyncGroup } from './sync-group';

export {
  AlterConfigs, ApiVersions, CreatePartitions, CreateTopics, DeleteGroups, DeleteTopics, DescribeCluster,
  DescribeConfigs, DescribeGroups, Fetch, FindCoordinator, Heartbeat, IncrementalAlterConfigs, InitProducerId,
  JoinGroup, LeaveGroup, ListGroups, ListOffsets, Metadata, OffsetCommit, OffsetDelete, OffsetFetch, Produce, SyncGroup,
};

export const API_SPECS: readonly ApiSpec[] = Object.freeze([
  Produce, Fetch, ListOffsets, Metadata, OffsetCommit, OffsetFetch, FindCoordinator, JoinGroup, Heartbeat, LeaveGroup,
  SyncGroup, DescribeGroups, ListGroups, ApiVersions, CreateTopics, DeleteTopics, InitProducerId, DescribeConfigs,
  AlterConfigs, CreatePartitions, DeleteGroups, IncrementalAlterConfigs, OffsetDelete, DescribeCluster,
]);

const byKey = new Map<number, ApiSpec>(API_SPECS.map((api) => [api.apiKey, api]));

export function apiSpecByKey(apiKey: number): ApiSpec | undefined {
  return byKey.get(apiKey);
}

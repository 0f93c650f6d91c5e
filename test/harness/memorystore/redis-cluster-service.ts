import { status, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { REDIS_CLUSTER_API } from './admin-api.js';
import { compact } from './audit-entry.js';
import { fail, maskPaths, record, text, withInstance, type Call, type Done } from './grpc-handlers.js';
import { validParent, type AddressPool } from './instance-store.js';
import { listPage, type Unreachable } from './list-page.js';
import type { OperationRunner } from './operations.js';

/** A Memorystore for Redis Cluster as the local API keeps it (`google.cloud.redis.cluster.v1.Cluster`, proto-loader form). */
export interface FakeRedisCluster {
  name: string;
  state: string;
  shardCount: number;
  replicaCount: number;
  discoveryEndpoints: Array<{ address: string; port: number }>;
  pscConnections: Array<{ pscConnectionId: string; address: string; network: string; projectId: string }>;
}

// cloud_redis_cluster.proto: 1-63 characters, starting with a letter, ending with a letter or digit.
const CLUSTER_ID = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;
const UPDATABLE = ['shardCount', 'replicaCount'] as const;

/** ACTIVE, with one discovery endpoint on 6379 and two PSC connections, kept for the cluster's life. */
function settle(cluster: FakeRedisCluster, pool: AddressPool): void {
  cluster.state = 'ACTIVE';
  const project = cluster.name.split('/')[1] ?? '';
  if (cluster.discoveryEndpoints.length === 0) {
    const network = `projects/${project}/global/networks/default`;
    cluster.pscConnections = [0, 1].map((i) => ({ pscConnectionId: `psc-${i}`, address: pool.take(), network, projectId: project }));
    cluster.discoveryEndpoints = [{ address: cluster.pscConnections[0]!.address, port: 6379 }];
  }
}

export interface RedisClusterBackend {
  readonly implementation: UntypedServiceImplementation;
  readonly store: Map<string, FakeRedisCluster>;
}

/** `google.cloud.redis.cluster.v1.CloudRedisCluster`: Get, List, Create, Update, Delete, with first and last audit entries. */
export function redisClusterBackend(options: { projectId: string; runner: OperationRunner; pool: AddressPool; unreachable: () => Unreachable }): RedisClusterBackend {
  const { projectId, runner, pool } = options;
  const store = new Map<string, FakeRedisCluster>();
  const found = (call: Call, done: Done, action: (cluster: FakeRedisCluster) => void): void => {
    const request = call.request['cluster'] ? { ...call, request: { ...call.request, instance: call.request['cluster'] } } : call;
    withInstance(store, projectId, request, done, action);
  };
  const implementation: UntypedServiceImplementation = {
    GetCluster: (call: Call, done: Done) => found(call, done, (cluster) => done(null, cluster)),
    ListClusters: (call: Call, done: Done) => {
      const parent = text(call.request['parent']);
      if (!parent.startsWith(`projects/${projectId}/locations/`)) return fail(done, status.INVALID_ARGUMENT, `invalid parent: ${parent}`);
      const page = listPage([...store.values()], parent, options.unreachable(), { pageSize: Number(call.request['pageSize']), pageToken: text(call.request['pageToken']) });
      return 'error' in page ? fail(done, status.INVALID_ARGUMENT, page.error) : done(null, { clusters: page.instances, nextPageToken: page.nextPageToken, unreachable: page.unreachable });
    },
    CreateCluster: (call: Call, done: Done) => {
      const parent = text(call.request['parent']);
      const clusterId = text(call.request['clusterId']);
      const requested = record(call.request['cluster']);
      const name = `${parent}/clusters/${clusterId}`;
      if (!validParent(parent) || !CLUSTER_ID.test(clusterId)) return fail(done, status.INVALID_ARGUMENT, `invalid parent or cluster id: ${name}`);
      if (store.has(name)) return fail(done, status.ALREADY_EXISTS, `Resource '${name}' already exists`);
      const cluster: FakeRedisCluster = { name, state: 'CREATING', shardCount: Number(requested['shardCount']) || 3, replicaCount: Number(requested['replicaCount']) || 0, discoveryEndpoints: [], pscConnections: [] };
      store.set(name, cluster);
      const request = { parent, clusterId, cluster: compact(requested) };
      done(null, runner.start({ api: REDIS_CLUSTER_API, method: 'CreateCluster', instanceName: name, firstResourceName: parent, request, apply: () => (settle(cluster, pool), cluster) }).operation);
    },
    UpdateCluster: (call: Call, done: Done) =>
      found(call, done, (cluster) => {
        const paths = maskPaths(call.request);
        if (paths.length === 0 || paths.some((p) => !(UPDATABLE as readonly string[]).includes(p))) return fail(done, status.INVALID_ARGUMENT, `update_mask must name fields of ${UPDATABLE.join(', ')}`);
        const given = record(call.request['cluster']);
        const fields = Object.fromEntries(paths.map((p) => [p, given[p]]));
        cluster.state = 'UPDATING';
        const apply = () => (Object.assign(cluster, fields), settle(cluster, pool), cluster);
        done(null, runner.start({ api: REDIS_CLUSTER_API, method: 'UpdateCluster', instanceName: cluster.name, request: { updateMask: { paths }, cluster: { name: cluster.name, ...fields } }, apply }).operation);
      }),
    DeleteCluster: (call: Call, done: Done) =>
      found(call, done, (cluster) => {
        cluster.state = 'DELETING';
        done(null, runner.start({ api: REDIS_CLUSTER_API, method: 'DeleteCluster', instanceName: cluster.name, request: { name: cluster.name }, apply: () => void store.delete(cluster.name) }).operation);
      }),
  };
  return { implementation, store };
}

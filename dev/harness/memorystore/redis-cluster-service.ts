import { REDIS_CLUSTER_API } from './admin-api.js';
import type { AddressPool } from './instance-store.js';
import type { ProductSpec } from './product-backend.js';

/**
 * A Memorystore for Redis Cluster as the local API keeps it (`google.cloud.redis.cluster.v1.Cluster`, proto-loader
 * form).
 */
export interface FakeRedisCluster {
  name: string;
  state: string;
  shardCount: number;
  replicaCount: number;
  discoveryEndpoints: Array<{ address: string; port: number; pscConfig: { network: string } }>;
  pscConnections: Array<{ pscConnectionId: string; address: string; network: string; projectId: string }>;
  clusterEndpoints: Array<{ connections: Array<{ pscAutoConnection: Record<string, unknown> }> }>;
  /** The network its PSC connections are made in: the create request's `pscConfigs[0].network`. */
  pscConfigs: Array<{ network: string }>;
}

// cloud_redis_cluster.proto: 1-63 characters, starting with a letter, ending with a letter or digit.
const CLUSTER_ID = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;
const UPDATABLE = ['shardCount', 'replicaCount'] as const;

/**
 * ACTIVE, with one discovery endpoint on 6379 and two PSC connections, kept for the cluster's life: each in
 * `pscConnections[]` and again in `clusterEndpoints[0].connections[]`, the first typed DISCOVERY, both ACTIVE, as
 * Config Connector's recording of a real cluster shows them:
 * https://github.com/GoogleCloudPlatform/k8s-config-connector/blob/master/pkg/test/resourcefixture/testdata/basic/redis/v1beta1/rediscluster/basicrediscluster-endpoints/_http.log
 */
function settle(cluster: FakeRedisCluster, pool: AddressPool): void {
  cluster.state = 'ACTIVE';
  const project = cluster.name.split('/')[1] ?? '';
  if (cluster.discoveryEndpoints.length === 0) {
    const network = cluster.pscConfigs[0]?.network ?? `projects/${project}/global/networks/default`;
    cluster.pscConnections = [0, 1].map((i) => ({
      pscConnectionId: `psc-${i}`,
      address: pool.take(),
      network,
      projectId: project,
    }));
    cluster.discoveryEndpoints = [{ address: cluster.pscConnections[0]!.address, port: 6379, pscConfig: { network } }];
    const connections = cluster.pscConnections.map((c, i) => ({
      pscAutoConnection: {
        ...c,
        ...(i === 0 ? { connectionType: 'CONNECTION_TYPE_DISCOVERY' } : {}),
        pscConnectionStatus: 'PSC_CONNECTION_STATUS_ACTIVE',
      },
    }));
    cluster.clusterEndpoints = [{ connections }];
  }
}

/** `google.cloud.redis.cluster.v1.CloudRedisCluster`, as the local API serves it. */
export const REDIS_CLUSTER_SPEC: ProductSpec<FakeRedisCluster> = {
  api: REDIS_CLUSTER_API,
  noun: 'Cluster',
  field: 'cluster',
  collection: 'clusters',
  validId: (id) => CLUSTER_ID.test(id),
  updatable: UPDATABLE,
  create: (name, requested) => ({
    name,
    state: 'CREATING',
    shardCount: Number(requested['shardCount']) || 3,
    replicaCount: Number(requested['replicaCount']) || 0,
    discoveryEndpoints: [],
    pscConnections: [],
    clusterEndpoints: [],
    // cloud_redis_cluster.proto PscConfig.network: "the network where the IP address of the discovery endpoint will
    // be reserved"; the real API requires it, the local one defaults it to the project's `default` network.
    pscConfigs: requestedNetworks(requested['pscConfigs']),
  }),
  settle,
};

function requestedNetworks(value: unknown): Array<{ network: string }> {
  const list = Array.isArray(value) ? (value as Array<{ network?: unknown }>) : [];
  return list.flatMap((c) => (typeof c.network === 'string' && c.network ? [{ network: c.network }] : []));
}

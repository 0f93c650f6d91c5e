import type { protos } from '@google-cloud/redis-cluster';
import { assignedEndpoint, phaseOf, type MemorystoreInstance } from '../model/instance.js';
import { PRODUCT_INFO } from '../model/products.js';

type ApiCluster = protos.google.cloud.redis.cluster.v1.ICluster;

/**
 * A Memorystore for Redis Cluster (redis.googleapis.com, CloudRedisCluster) as the reconciler sees it, named by its
 * identity (`//redis.googleapis.com/projects/P/locations/L/clusters/C`). Always a sharded target: clients connect to
 * the discovery endpoint (`discoveryEndpoints[0]`, port 6379) and are redirected to node ports (11000-13047) on the
 * PSC addresses, which the API does not list. A cluster has no labels.
 * https://cloud.google.com/memorystore/docs/cluster/reference/rest/v1/projects.locations.clusters
 */
export function toRedisClusterInstance(api: ApiCluster): MemorystoreInstance {
  const state = String(api.state ?? 'STATE_UNSPECIFIED');
  const discovery = (api.discoveryEndpoints ?? []).flatMap((d) => assignedEndpoint('discovery', d.address, d.port)).slice(0, 1);
  return {
    name: api.name ? `${PRODUCT_INFO['redis-cluster'].identityPrefix}${api.name}` : '',
    state,
    phase: phaseOf('redis-cluster', state),
    ...(discovery.length > 0 ? { endpoints: discovery } : {}),
    sharded: true,
  };
}

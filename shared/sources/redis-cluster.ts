import type { protos } from '@google-cloud/redis-cluster';
import { assignedEndpoint, phaseOf, type MemorystoreInstance } from '../model/instance.js';
import { PRODUCT_INFO } from '../model/products.js';
import { checked } from './checked-instance.js';
import { isLive, shardedNodePorts } from './node-ports.js';

type ApiCluster = protos.google.cloud.redis.cluster.v1.ICluster;

/**
 * The cluster's PSC addresses in the network of its discovery endpoint: `pscConnections[]` (the connections its
 * service connectivity automation made, two per network), else the first group of `clusterEndpoints[]` (one
 * connection per service attachment), and the discovery address, which is one of them. Node ports are served on
 * every PSC address of the cluster (node-ports.ts); addresses in other VPC networks are not this mesh's to declare.
 */
function pscAddresses(api: ApiCluster): Array<string | null | undefined> {
  const discovery = api.discoveryEndpoints?.[0];
  const inNetwork = (network: string | null | undefined): boolean =>
    !discovery?.pscConfig?.network || !network || network === discovery.pscConfig.network;
  const automated = (api.pscConnections ?? []).filter((c) => inNetwork(c.network) && isLive(c)).map((c) => c.address);
  const grouped = (api.clusterEndpoints?.[0]?.connections ?? [])
    .map((d) => d.pscAutoConnection ?? d.pscConnection)
    .filter(isLive)
    .map((c) => c?.address);
  return [...(automated.length > 0 ? automated : grouped), discovery?.address];
}

/**
 * A Memorystore for Redis Cluster (redis.googleapis.com, CloudRedisCluster) as the reconciler sees it, named by its
 * identity (`//redis.googleapis.com/projects/P/locations/L/clusters/C`). Always a sharded target: clients connect to
 * the discovery endpoint (`discoveryEndpoints[0]`, port 6379) and are redirected to node ports (11000-13047) on the
 * PSC addresses, which the API lists without saying which node is where. A cluster has no labels.
 * https://cloud.google.com/memorystore/docs/cluster/reference/rest/v1/projects.locations.clusters
 */
export function toRedisClusterInstance(api: ApiCluster): MemorystoreInstance {
  const state = String(api.state ?? 'STATE_UNSPECIFIED');
  const discovery = (api.discoveryEndpoints ?? [])
    .flatMap((d) => assignedEndpoint('discovery', d.address, d.port))
    .slice(0, 1);
  return checked({
    name: api.name ? `${PRODUCT_INFO['redis-cluster'].identityPrefix}${api.name}` : '',
    state,
    phase: phaseOf('redis-cluster', state),
    ...(discovery.length > 0 ? { endpoints: discovery } : {}),
    sharded: true,
    ...shardedNodePorts(pscAddresses(api)),
  });
}

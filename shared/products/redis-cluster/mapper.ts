import type { protos } from '@google-cloud/redis-cluster';
import type { MemorystoreInstance } from '../../model/instance.js';
import { checked, networksProblem } from '../checked-instance.js';
import { isLive, shardedNodePorts } from '../node-ports.js';
import { phaseOf } from '../product-module.js';
import { REDIS_CLUSTER_NAMING } from './naming.js';

type ApiCluster = protos.google.cloud.redis.cluster.v1.ICluster;

type ApiConnection = NonNullable<
  NonNullable<NonNullable<ApiCluster['clusterEndpoints']>[number]['connections']>[number]['pscConnection']
>;

/** The live connections of `clusterEndpoints[]` (one group per VPC network, one connection per service attachment). */
function groupConnections(api: ApiCluster): Array<{ group: number; connection: ApiConnection }> {
  return (api.clusterEndpoints ?? []).flatMap((group, index) =>
    (group.connections ?? []).flatMap((d) => {
      const connection = d.pscAutoConnection ?? d.pscConnection;
      return connection && isLive(connection) ? [{ group: index, connection }] : [];
    }),
  );
}

/**
 * The discovery endpoint: `discoveryEndpoints[0]`, which the service fills for the connections its automation made;
 * a cluster with only user-registered connections may have none, and its DISCOVERY connection in `clusterEndpoints`
 * is the same address (cloud_redis_cluster.proto ConnectionType; user connections carry no port: 6379).
 */
function discoveryOf(api: ApiCluster): { address: string; port: number; network?: string } | undefined {
  const listed = (api.discoveryEndpoints ?? []).find((d) => d.address && d.port);
  if (listed?.address && listed.port)
    return {
      address: listed.address,
      port: listed.port,
      ...(listed.pscConfig?.network ? { network: listed.pscConfig.network } : {}),
    };
  const connection = groupConnections(api).find((c) => c.connection.connectionType === 'CONNECTION_TYPE_DISCOVERY');
  const address = connection?.connection.address;
  return address
    ? {
        address,
        port: DISCOVERY_PORT,
        ...(connection.connection.network ? { network: connection.connection.network } : {}),
      }
    : undefined;
}

const DISCOVERY_PORT = 6379;

/**
 * The cluster's PSC addresses in the network of its discovery endpoint: `pscConnections[]` (the connections its
 * service connectivity automation made, two per network), else the `clusterEndpoints[]` group in that network (one
 * connection per service attachment), and the discovery address, which is one of them. Node ports are served on
 * every PSC address of the cluster (node-ports.ts); addresses in other VPC networks are not this mesh's to declare.
 */
function pscAddresses(api: ApiCluster, discovery: ReturnType<typeof discoveryOf>): Array<string | null | undefined> {
  const inNetwork = (network: string | null | undefined): boolean =>
    !discovery?.network || !network || network === discovery.network;
  const automated = (api.pscConnections ?? []).filter((c) => inNetwork(c.network) && isLive(c)).map((c) => c.address);
  const grouped = groupConnections(api);
  const ownGroup = grouped.find((c) => c.connection.address === discovery?.address)?.group ?? 0;
  const inGroup = grouped.filter((c) => c.group === ownGroup).map((c) => c.connection.address);
  return [...(automated.length > 0 ? automated : inGroup), discovery?.address];
}

/**
 * A Memorystore for Redis Cluster (redis.googleapis.com, CloudRedisCluster) as the reconciler sees it, named by its
 * identity (`//redis.googleapis.com/projects/P/locations/L/clusters/C`). Always a sharded target: clients connect to
 * the discovery endpoint (port 6379) and are redirected to node ports (11000-13047) on the PSC addresses, which the
 * API lists without saying which node is where. The 0.6.1 client's Cluster has no labels field.
 * https://cloud.google.com/memorystore/docs/cluster/reference/rest/v1/projects.locations.clusters
 */
export function toRedisClusterInstance(api: ApiCluster): MemorystoreInstance {
  const state = String(api.state ?? 'STATE_UNSPECIFIED');
  const discovery = discoveryOf(api);
  // Groups in several networks are told apart only by a listed discovery endpoint's network.
  const listedNetwork = api.discoveryEndpoints?.some((d) => d.pscConfig?.network);
  const networks = listedNetwork ? [] : groupConnections(api).map((c) => c.connection.network);
  return checked(
    {
      name: api.name ? `${REDIS_CLUSTER_NAMING.identityPrefix}${api.name}` : '',
      state,
      phase: phaseOf(REDIS_CLUSTER_NAMING, state),
      ...(discovery ? { endpoints: [{ role: 'discovery', address: discovery.address, port: discovery.port }] } : {}),
      sharded: true,
      ...shardedNodePorts(pscAddresses(api, discovery)),
    },
    networksProblem(networks),
  );
}

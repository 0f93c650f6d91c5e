import type { protos } from '@google-cloud/redis-cluster';
import type { Endpoint, MemorystoreInstance, NetworkEndpoints } from '../../model/instance.js';
import { networksOf, projectOf } from '../../model/network.js';
import { checked } from '../checked-instance.js';
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

type InNetwork = (network: string | null | undefined) => boolean;

const DISCOVERY_PORT = 6379;

/**
 * The discovery endpoint in a network: the `discoveryEndpoints[]` entry there, which the service fills for the
 * connections its automation made; a cluster with only user-registered connections may have none, and its DISCOVERY
 * connection in `clusterEndpoints` is the same address (cloud_redis_cluster.proto ConnectionType; user connections
 * carry no port: 6379).
 */
function discoveryOf(api: ApiCluster, inNetwork: InNetwork): Endpoint | undefined {
  const listed = (api.discoveryEndpoints ?? []).find((d) => d.address && d.port && inNetwork(d.pscConfig?.network));
  if (listed?.address && listed.port) return { role: 'discovery', address: listed.address, port: listed.port };
  const address = groupConnections(api).find(
    (c) => c.connection.connectionType === 'CONNECTION_TYPE_DISCOVERY' && inNetwork(c.connection.network),
  )?.connection.address;
  return address ? { role: 'discovery', address, port: DISCOVERY_PORT } : undefined;
}

/**
 * The cluster's PSC addresses in a network: `pscConnections[]` (the connections its service connectivity automation
 * made, two per network), else the `clusterEndpoints[]` group there (one connection per service attachment), and the
 * discovery address, which is one of them. Node ports are served on every PSC address of the cluster
 * (node-ports.ts); addresses in other VPC networks are not this mesh's to declare.
 */
function viewOf(api: ApiCluster, inNetwork: InNetwork): Pick<NetworkEndpoints, 'endpoints' | 'nodePorts'> {
  const discovery = discoveryOf(api, inNetwork);
  const automated = (api.pscConnections ?? []).filter((c) => inNetwork(c.network) && isLive(c)).map((c) => c.address);
  // One group per network and service attachments (ClusterEndpoint): the discovery endpoint's group, else the first.
  const inNetworkGroups = groupConnections(api).filter((c) => inNetwork(c.connection.network));
  const ownGroup = (inNetworkGroups.find((c) => c.connection.address === discovery?.address) ?? inNetworkGroups[0])
    ?.group;
  const grouped = inNetworkGroups.filter((c) => c.group === ownGroup).map((c) => c.connection.address);
  return {
    ...(discovery ? { endpoints: [discovery] } : {}),
    ...shardedNodePorts([...(automated.length > 0 ? automated : grouped), discovery?.address]),
  };
}

/**
 * The cluster's endpoints, per VPC network: one view where it is in one network (or none is named); in several, one
 * per network for a cluster to choose from (plan/network-scope.ts), and as before the network of the listed
 * discovery endpoint ("currently only one discovery endpoint is supported", cloud_redis_cluster.proto) for a cluster
 * that names none.
 */
function networkViews(api: ApiCluster): Partial<MemorystoreInstance> {
  const project = projectOf(api.name);
  const networkOf = (value: string | null | undefined): string => networksOf([value], project)[0] ?? '';
  const networks = networksOf(
    [
      ...(api.discoveryEndpoints ?? []).map((d) => d.pscConfig?.network),
      ...(api.pscConnections ?? []).map((c) => c.network),
      ...groupConnections(api).map((c) => c.connection.network),
    ],
    project,
  );
  if (networks.length <= 1) return { ...viewOf(api, () => true), ...(networks.length > 0 ? { networks } : {}) };
  const byNetwork = networks.map((network) => ({
    network,
    ...viewOf(api, (n) => networkOf(n) === network),
  }));
  const listed = networkOf(api.discoveryEndpoints?.find((d) => d.pscConfig?.network)?.pscConfig?.network);
  const preferred = byNetwork.find((v) => v.network === listed);
  return {
    ...(preferred ? { endpoints: preferred.endpoints, nodePorts: preferred.nodePorts } : {}),
    networks,
    byNetwork,
  };
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
  return checked({
    name: api.name ? `${REDIS_CLUSTER_NAMING.identityPrefix}${api.name}` : '',
    state,
    phase: phaseOf(REDIS_CLUSTER_NAMING, state),
    ...networkViews(api),
    sharded: true,
  });
}

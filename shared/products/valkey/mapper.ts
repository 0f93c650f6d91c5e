import type { protos } from '@google-cloud/memorystore';
import {
  assignedEndpoint as endpoint,
  labelsOf,
  type Endpoint,
  type MemorystoreInstance,
  type NetworkEndpoints,
} from '../../model/instance.js';
import { networksOf, projectOf } from '../../model/network.js';
import { checked } from '../checked-instance.js';
import { isLive, shardedNodePorts } from '../node-ports.js';
import { phaseOf } from '../product-module.js';
import { VALKEY_NAMING } from './naming.js';

type ApiInstance = protos.google.cloud.memorystore.v1.IInstance;
type ApiConnection =
  protos.google.cloud.memorystore.v1.IPscAutoConnection | protos.google.cloud.memorystore.v1.IPscConnection;

/** The port clients use when a connection names none (memorystore.proto: `ports` is optional). */
const DEFAULT_PORT = 6379;

/** The roles of memorystore.proto's ConnectionType. */
const ROLE_OF_TYPE: Readonly<Record<string, string>> = {
  CONNECTION_TYPE_PRIMARY: 'primary',
  CONNECTION_TYPE_READER: 'read',
  CONNECTION_TYPE_DISCOVERY: 'discovery',
};

function endpointOf(connection: ApiConnection | null | undefined): Endpoint | undefined {
  const role = ROLE_OF_TYPE[String(connection?.connectionType ?? '')];
  return role ? endpoint(role, connection?.ipAddress, connection?.port || DEFAULT_PORT)[0] : undefined;
}

/** The live PSC connections of `endpoints[].connections[]`, else of the older top-level `pscAutoConnections[]`. */
function connectionsOf(api: ApiInstance): ApiConnection[] {
  const grouped = (api.endpoints ?? [])
    .flatMap((group) => group.connections ?? [])
    .map((detail) => detail.pscAutoConnection ?? detail.pscConnection);
  return (grouped.length > 0 ? grouped : (api.pscAutoConnections ?? [])).filter(
    (c): c is ApiConnection => !!c && isLive(c),
  );
}

/**
 * The live connections of the first endpoint group: each group has one connection per service attachment
 * (memorystore.proto, InstanceEndpoint), a DISCOVERY one and one of no type, and node ports are served on every PSC
 * address (node-ports.ts). A further group in the same network (or none named) is not told apart from it.
 */
function firstGroup(api: ApiInstance): ApiConnection[] {
  const first = (api.endpoints?.[0]?.connections ?? []).map((d) => d.pscAutoConnection ?? d.pscConnection);
  return (first.length > 0 ? first : (api.pscAutoConnections ?? [])).filter(
    (c): c is ApiConnection => !!c && isLive(c),
  );
}

/** The endpoints among `connections`, one per role: the first of each. */
function connectionEndpoints(connections: readonly ApiConnection[]): Map<string, Endpoint> {
  const found = new Map<string, Endpoint>();
  for (const connection of connections) {
    const candidate = endpointOf(connection);
    if (candidate && !found.has(candidate.role)) found.set(candidate.role, candidate);
  }
  return found;
}

/**
 * Cluster mode is the API's default: only an instance that says CLUSTER_DISABLED (or the older STANDALONE) is not
 * sharded.
 */
const isSharded = (mode: unknown): boolean => mode !== 'CLUSTER_DISABLED' && mode !== 'STANDALONE';

type LegacyDiscovery = NonNullable<ApiInstance['discoveryEndpoints']>[number];

/**
 * What clients connect to through `connections`. A sharded instance: its DISCOVERY connection (or the older
 * `discoveryEndpoints[]`), and node ports on every PSC address of `addresses` (node-ports.ts). Else the PRIMARY and
 * READER connections, like a Redis instance's primary and read endpoints; none without a primary.
 */
function viewOf(
  connections: readonly ApiConnection[],
  legacy: readonly LegacyDiscovery[],
  sharded: boolean,
  addresses: readonly ApiConnection[] = connections,
): Pick<NetworkEndpoints, 'endpoints' | 'nodePorts'> {
  const found = connectionEndpoints(connections);
  if (sharded) {
    const old = legacy.flatMap((d) => endpoint('discovery', d.address, d.port || DEFAULT_PORT));
    const discovery = found.get('discovery') ?? old[0];
    // The discovery address too: from the older `discoveryEndpoints[]`, it may be the only address reported.
    return {
      ...(discovery ? { endpoints: [discovery] } : {}),
      ...shardedNodePorts([...addresses.map((c) => c.ipAddress), discovery?.address]),
    };
  }
  const primary = found.get('primary');
  const read = found.get('read');
  return primary ? { endpoints: [primary, ...(read ? [read] : [])] } : {};
}

/**
 * The instance's endpoints, per VPC network: an endpoint group is "PSC connections that are created as a group in
 * each VPC network" (memorystore.proto InstanceEndpoint). In one network (or none named), one view; in several, a
 * view per network for a cluster to choose from (plan/network-scope.ts): addresses of one network may belong to
 * something else in another.
 */
function networkViews(api: ApiInstance, sharded: boolean): Partial<MemorystoreInstance> {
  const project = projectOf(api.name);
  const connections = connectionsOf(api);
  const legacy = api.discoveryEndpoints ?? [];
  const networkOf = (value: string | null | undefined): string => networksOf([value], project)[0] ?? '';
  const networks = networksOf([...connections.map((c) => c.network), ...legacy.map((d) => d.network)], project);
  if (networks.length <= 1) {
    const view = viewOf(connections, legacy, sharded, firstGroup(api));
    return { ...view, ...(networks.length > 0 ? { networks } : {}) };
  }
  const byNetwork = networks.map((network) => ({
    network,
    ...viewOf(
      connections.filter((c) => networkOf(c.network) === network),
      legacy.filter((d) => networkOf(d.network) === network),
      sharded,
    ),
  }));
  return { networks, byNetwork };
}

/**
 * A Memorystore for Valkey Instance (memorystore.googleapis.com) as the reconciler sees it, named by its identity
 * (`//memorystore.googleapis.com/projects/...`). In cluster mode it is a sharded target: clients are redirected from
 * the discovery endpoint to node addresses the API does not list.
 * https://cloud.google.com/memorystore/docs/valkey/reference/rest/v1/projects.locations.instances
 */
export function toValkeyInstance(api: ApiInstance): MemorystoreInstance {
  const state = String(api.state ?? 'STATE_UNSPECIFIED');
  const sharded = isSharded(String(api.mode ?? 'MODE_UNSPECIFIED'));
  return checked({
    name: api.name ? `${VALKEY_NAMING.identityPrefix}${api.name}` : '',
    state,
    phase: phaseOf(VALKEY_NAMING, state),
    ...networkViews(api, sharded),
    ...labelsOf(api.labels),
    ...(sharded ? { sharded: true } : {}),
  });
}

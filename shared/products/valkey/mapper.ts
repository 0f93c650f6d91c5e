import type { protos } from '@google-cloud/memorystore';
import {
  assignedEndpoint as endpoint,
  labelsOf,
  type Endpoint,
  type MemorystoreInstance,
} from '../../model/instance.js';
import { checked, networksProblem } from '../checked-instance.js';
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

/** The PSC connections of `endpoints[].connections[]`, else of the older top-level `pscAutoConnections[]`. */
function connectionsOf(api: ApiInstance): Array<ApiConnection | null | undefined> {
  const grouped = (api.endpoints ?? [])
    .flatMap((group) => group.connections ?? [])
    .map((detail) => detail.pscAutoConnection ?? detail.pscConnection);
  return (grouped.length > 0 ? grouped : (api.pscAutoConnections ?? [])).filter(isLive);
}

/**
 * The PSC addresses of a sharded instance's first endpoint group, whatever their connection type: each group has one
 * connection per service attachment (memorystore.proto, InstanceEndpoint), a DISCOVERY one and one of no type, and
 * node ports are served on every PSC address (node-ports.ts). Other groups are other VPC networks'.
 */
function pscAddresses(api: ApiInstance): Array<string | null | undefined> {
  const firstGroup = (api.endpoints?.[0]?.connections ?? []).map(
    (detail) => detail.pscAutoConnection ?? detail.pscConnection,
  );
  return (firstGroup.length > 0 ? firstGroup : (api.pscAutoConnections ?? [])).filter(isLive).map((c) => c?.ipAddress);
}

/**
 * The endpoints of `endpoints[].connections[]`, one per role: the first of each. An instance reachable from several
 * VPC networks has one endpoint group per network: it is refused (checked-instance.ts networksProblem).
 * An instance that reports only the older top-level `pscAutoConnections[]` (deprecated for `endpoints`) is read from
 * it.
 */
function connectionEndpoints(api: ApiInstance): Map<string, Endpoint> {
  const found = new Map<string, Endpoint>();
  for (const connection of connectionsOf(api)) {
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

/**
 * What clients connect to. A sharded instance: its DISCOVERY connection (or the older `discoveryEndpoints[]`). Else
 * the PRIMARY and READER connections, like a Redis instance's primary and read endpoints; none without a primary.
 */
function endpointsOf(api: ApiInstance, sharded: boolean): Endpoint[] {
  const connections = connectionEndpoints(api);
  if (sharded) {
    const legacy = (api.discoveryEndpoints ?? []).flatMap((d) =>
      endpoint('discovery', d.address, d.port || DEFAULT_PORT),
    );
    const discovery = connections.get('discovery') ?? legacy[0];
    return discovery ? [discovery] : [];
  }
  const primary = connections.get('primary');
  const read = connections.get('read');
  return primary ? [primary, ...(read ? [read] : [])] : [];
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
  const endpoints = endpointsOf(api, sharded);
  const networks = (api.endpoints ?? []).flatMap((group) =>
    (group.connections ?? []).map((d) => (d.pscAutoConnection ?? d.pscConnection)?.network),
  );
  return checked(
    {
      name: api.name ? `${VALKEY_NAMING.identityPrefix}${api.name}` : '',
      state,
      phase: phaseOf(VALKEY_NAMING, state),
      ...(endpoints.length > 0 ? { endpoints } : {}),
      ...labelsOf(api.labels),
      // The discovery address too: from the older `discoveryEndpoints[]`, it may be the only address reported.
      ...(sharded ? { sharded: true, ...shardedNodePorts([...pscAddresses(api), endpoints[0]?.address]) } : {}),
    },
    networksProblem(networks),
  );
}

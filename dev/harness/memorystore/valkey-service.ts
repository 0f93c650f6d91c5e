import { VALKEY_API } from './admin-api.js';
import type { AddressPool } from './instance-store.js';
import type { ProductSpec } from './product-backend.js';

/**
 * A Memorystore for Valkey instance as the local API keeps it: the `google.cloud.memorystore.v1.Instance` fields the
 * project reads, in proto-loader form. Its endpoints are PSC addresses in `endpoints[0].connections[]`.
 */
export interface FakeValkey {
  name: string;
  labels: Record<string, string>;
  state: string;
  mode: string;
  shardCount: number;
  replicaCount: number;
  nodeType: string;
  endpoints: Array<{
    connections: Array<{
      pscAutoConnection: {
        ipAddress: string;
        port?: number;
        connectionType: string;
        network: string;
        projectId: string;
      };
    }>;
  }>;
  /** The create request's PSC inputs, echoed as the API keeps them ("user inputs and resource details"). */
  pscAutoConnections?: Array<{ network: string; projectId: string }>;
}

// memorystore.proto: 4-63 characters, lowercase letters, digits and hyphens, starting with a letter or digit.
const INSTANCE_ID = /^[a-z0-9][-a-z0-9]{2,61}[a-z0-9]$/;
// Fields UpdateInstance changes here; the API takes others (persistence, engine configs) that move no endpoint.
const UPDATABLE = ['labels', 'replicaCount', 'shardCount', 'nodeType'] as const;

/**
 * The PSC connections an ACTIVE instance has, as the service assigns them: one per service attachment
 * (memorystore.proto, InstanceEndpoint). In cluster mode a DISCOVERY connection on 6379 and one of no type and no
 * port, the second attachment (as Config Connector's mock of this API has them, mockgcp/mockmemorystore/instance.go);
 * otherwise a PRIMARY one, and a READER one while it has replicas. Addresses are kept for the instance's life.
 */
function settle(instance: FakeValkey, pool: AddressPool): void {
  instance.state = 'ACTIVE';
  const project = instance.name.split('/')[1] ?? '';
  const existing = new Map(
    (instance.endpoints[0]?.connections ?? []).map((c) => [c.pscAutoConnection.connectionType, c]),
  );
  // memorystore.proto PscAutoConnection.network: "the network where the PSC endpoints are created", as the create
  // request named it (`endpoints[0]` or the older `pscAutoConnections[0]`); the real API requires one.
  const network =
    instance.endpoints[0]?.connections[0]?.pscAutoConnection.network ??
    instance.pscAutoConnections?.[0]?.network ??
    `projects/${project}/global/networks/default`;
  const port = (type: string) => (type === 'CONNECTION_TYPE_UNSPECIFIED' ? {} : { port: 6379 });
  const connection = (type: string) =>
    existing.get(type) ?? {
      pscAutoConnection: {
        ipAddress: pool.take(),
        ...port(type),
        connectionType: type,
        network,
        projectId: project,
      },
    };
  const types =
    instance.mode === 'CLUSTER'
      ? ['CONNECTION_TYPE_DISCOVERY', 'CONNECTION_TYPE_UNSPECIFIED']
      : ['CONNECTION_TYPE_PRIMARY', ...(instance.replicaCount > 0 ? ['CONNECTION_TYPE_READER'] : [])];
  instance.endpoints = [{ connections: types.map(connection) }];
}

/** `google.cloud.memorystore.v1.Memorystore`, as the local API serves it. */
export const VALKEY_SPEC: ProductSpec<FakeValkey> = {
  api: VALKEY_API,
  noun: 'Instance',
  field: 'instance',
  collection: 'instances',
  validId: (id) => INSTANCE_ID.test(id),
  updatable: UPDATABLE,
  create(name, requested) {
    const mode = requested['mode'] === 'CLUSTER_DISABLED' ? 'CLUSTER_DISABLED' : 'CLUSTER';
    return {
      name,
      labels: { ...(requested['labels'] as Record<string, string> | undefined) },
      state: 'CREATING',
      mode,
      shardCount: mode === 'CLUSTER' ? Number(requested['shardCount']) || 3 : 1,
      replicaCount: Number(requested['replicaCount']) || 0,
      nodeType:
        typeof requested['nodeType'] === 'string' && requested['nodeType'] ? requested['nodeType'] : 'SHARED_CORE_NANO',
      ...requestedPsc(requested, name.split('/')[1] ?? ''),
    };
  },
  settle,
};

/** Where the create request asks for the PSC connections, kept in the field it used. */
function requestedPsc(
  requested: Record<string, unknown>,
  project: string,
): Pick<FakeValkey, 'endpoints' | 'pscAutoConnections'> {
  type Auto = { network?: unknown; projectId?: unknown } | undefined;
  const legacy = (requested['pscAutoConnections'] as Auto[] | undefined)?.[0];
  const grouped = (
    requested['endpoints'] as Array<{ connections?: Array<{ pscAutoConnection?: Auto }> }> | undefined
  )?.[0]?.connections?.[0]?.pscAutoConnection;
  const input = (auto: Auto) => ({
    network: String(auto?.network),
    projectId: typeof auto?.projectId === 'string' ? auto.projectId : project,
  });
  if (typeof grouped?.network === 'string')
    return {
      endpoints: [{ connections: [{ pscAutoConnection: { ipAddress: '', connectionType: '', ...input(grouped) } }] }],
    };
  return { endpoints: [], ...(typeof legacy?.network === 'string' ? { pscAutoConnections: [input(legacy)] } : {}) };
}

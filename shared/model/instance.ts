import { refKey, type ObjectRef } from './k8s-object.js';

/**
 * An instance of any Memorystore product, as the reconciler needs it: its identity, where it is in its life, and the
 * endpoints clients connect to. Each product's mapper maps its own API's Instance to this (shared/products/).
 */
export interface MemorystoreInstance {
  /** The identity: `projects/P/locations/R/instances/I` for Redis, `//SERVICE/projects/...` for the others. */
  readonly name: string;
  /** The state as the product's API reports it (READY, ACTIVE, UPDATING...), for messages and records. */
  readonly state: string;
  /** `ready`: settled; `deleting`: on its way out; `changing`: anything else (creating, updating, maintenance...). */
  readonly phase: InstancePhase;
  /**
   * The endpoints clients connect to, the primary (or discovery) one first; absent while it has no address yet, and
   * when its endpoints are in several VPC networks with none to prefer (then `byNetwork` has them).
   */
  readonly endpoints?: readonly Endpoint[];
  /**
   * The VPC networks its endpoints are on (`projects/P/global/networks/N`, network.ts); absent when the API names
   * none. A cluster whose pods reach none of them gets nothing of the instance (plan/network-scope.ts).
   */
  readonly networks?: readonly string[];
  /**
   * An instance with endpoint groups in several VPC networks (Valkey, Redis Cluster): each network's endpoints, one
   * entry per network, so a cluster can take those on its own network.
   */
  readonly byNetwork?: readonly NetworkEndpoints[];
  /** The instance's Memorystore labels, for INSTANCE_LABEL_SELECTOR. */
  readonly labels?: Readonly<Record<string, string>>;
  /**
   * A sharded target (Redis Cluster, Valkey in cluster mode): clients ask the discovery endpoint for the shard map,
   * then connect to node addresses and ports that the API does not list.
   */
  readonly sharded?: boolean;
  /** Where a sharded target's clients may be redirected: absent while the API reports no address for it yet. */
  readonly nodePorts?: NodePorts;
  /**
   * Why the API's data cannot be declared (a port out of range, an address that is not IPv4, a node id reported
   * twice): nothing is written for the instance, its live objects stay as they are, and it is reported failed.
   */
  readonly invalid?: string;
}

/** What clients in one VPC network connect to. */
export interface NetworkEndpoints {
  readonly network: string;
  readonly endpoints?: readonly Endpoint[];
  readonly nodePorts?: NodePorts;
}

export interface PortRange {
  readonly from: number;
  readonly to: number;
}

/**
 * The node ports of a sharded target, as far as the API tells them: the shard map hands clients ports in `range` on
 * any of `addresses` (the instance's PSC addresses), never one node per port that could be listed.
 */
export interface NodePorts {
  /** Sorted and distinct, so the rendered objects do not change with the order the API lists them in. */
  readonly addresses: readonly string[];
  readonly range: PortRange;
}

export type InstancePhase = 'ready' | 'changing' | 'deleting';

/** The location part of `projects/P/locations/R` or a bare `R`, as the API reports unreachable locations. */
export function locationOf(value: string): string {
  const match = /locations\/([^/]+)/.exec(value);
  return match?.[1] ?? value;
}

/**
 * What an endpoint is to its instance: `primary`, `read` (Redis read endpoint, Valkey reader), `discovery` (Memcached
 * auto-discovery, a sharded target's discovery endpoint) or `node-<code>` (one Memcached node). A DNS label of at most
 * 11 characters: it goes into subset names and host names beside a 51-character instance key.
 */
export type EndpointRole = string;

/** One address clients connect to; each gets its own ServiceEntry host and egress gateway port. */
export interface Endpoint {
  readonly role: EndpointRole;
  readonly address: string;
  readonly port: number;
}

/** The instance's usable endpoints, or undefined when it has no address yet (still being created). */
export function endpointsOf(instance: MemorystoreInstance): readonly Endpoint[] | undefined {
  return instance.endpoints && instance.endpoints.length > 0 ? instance.endpoints : undefined;
}

/**
 * How a message names the object of a change or record: `Kind/namespace/name` for a Kubernetes object; the instance
 * itself (a skip) by its identity, which has no namespace and slashes of its own.
 */
export function objectText(object: Pick<ObjectRef, 'kind' | 'namespace' | 'name'>): string {
  return object.kind === 'Instance' ? `instance ${object.name}` : refKey(object);
}

/** The instance's labels as the model holds them: absent when it has none. */
export function labelsOf(labels: Readonly<Record<string, string>> | null | undefined): {
  labels?: Record<string, string>;
} {
  return labels && Object.keys(labels).length > 0 ? { labels: { ...labels } } : {};
}

/** One endpoint, or none while its address or port is not assigned yet (the APIs report "" and 0 until then). */
export function assignedEndpoint(
  role: EndpointRole,
  address: string | null | undefined,
  port: number | null | undefined,
): Endpoint[] {
  return address && typeof port === 'number' && port > 0 ? [{ role, address, port }] : [];
}

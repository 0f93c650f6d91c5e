import { refKey, type ObjectRef } from './k8s-object.js';
import { PRODUCT_INFO, PRODUCTS, type Product } from './products.js';

/**
 * An instance of any Memorystore product, as the reconciler needs it: its identity, where it is in its life, and the
 * endpoints clients connect to. Each product's adapter maps its own API's Instance to this (shared/sources/).
 */
export interface MemorystoreInstance {
  /** The identity: `projects/P/locations/R/instances/I` for Redis, `//SERVICE/projects/...` for the others. */
  readonly name: string;
  /** The state as the product's API reports it (READY, ACTIVE, UPDATING...), for messages and records. */
  readonly state: string;
  /** `ready`: settled; `deleting`: on its way out; `changing`: anything else (creating, updating, maintenance...). */
  readonly phase: InstancePhase;
  /** The endpoints clients connect to, the primary (or discovery) one first; absent while it has no address yet. */
  readonly endpoints?: readonly Endpoint[];
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

/**
 * An instance's identity, parsed: the one type the core passes around. Its `full` form is the same identity as a
 * string, used where a value must compare equal (Map and Set keys: JavaScript compares objects by reference) or
 * leave the process (annotations, audit records, logs); parseInstanceName turns it back into this.
 */
export interface InstanceName {
  /** The identity, as MemorystoreInstance.name. */
  readonly full: string;
  readonly product: Product;
  readonly project: string;
  readonly location: string;
  readonly id: string;
}

// https://cloud.google.com/memorystore/docs/redis/reference/rest/v1/projects.locations.instances (and the same pattern
// in the Valkey and Memcached APIs).
const RELATIVE_NAME = /^projects\/([^/]+)\/locations\/([^/]+)\/(instances|clusters)\/([^/]+)$/;

/** The identity of an instance of `product` named by its relative name, if the id follows that product's rules. */
export function instanceNamed(product: Product, relativeName: string): InstanceName | undefined {
  const match = RELATIVE_NAME.exec(relativeName);
  const info = PRODUCT_INFO[product];
  if (!match?.[1] || !match[2] || match[3] !== info.collection || !match[4] || !info.instanceId.test(match[4]))
    return undefined;
  return {
    full: `${info.identityPrefix}${relativeName}`,
    product,
    project: match[1],
    location: match[2],
    id: match[4],
  };
}

/** Products by the length of their identity prefix, longest first: Redis, whose prefix is empty, last. */
const BY_PREFIX_LENGTH = [...PRODUCTS].sort(
  (a, b) => PRODUCT_INFO[b].identityPrefix.length - PRODUCT_INFO[a].identityPrefix.length,
);

/** Parses an identity back (from an annotation, a listing): the product follows from its prefix. */
export function parseInstanceName(value: string): InstanceName | undefined {
  const product = BY_PREFIX_LENGTH.find((p) => value.startsWith(PRODUCT_INFO[p].identityPrefix));
  return product ? instanceNamed(product, value.slice(PRODUCT_INFO[product].identityPrefix.length)) : undefined;
}

/** The relative name the product's own API knows the instance by. */
export function relativeNameOf(name: InstanceName): string {
  return name.full.slice(PRODUCT_INFO[name.product].identityPrefix.length);
}

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

/** The instance itself as the object of a record: a skip or a failure that concerns no Kubernetes object. */
export function instanceObjectRef(full: string): { apiVersion: string; kind: string; namespace: string; name: string } {
  const product = parseInstanceName(full)?.product ?? 'redis';
  return { apiVersion: `${PRODUCT_INFO[product].serviceName}/v1`, kind: 'Instance', namespace: '', name: full };
}

/**
 * How a message names the object of a change or record: `Kind/namespace/name` for a Kubernetes object; the instance
 * itself (a skip) by its identity, which has no namespace and slashes of its own.
 */
export function objectText(object: Pick<ObjectRef, 'kind' | 'namespace' | 'name'>): string {
  return object.kind === 'Instance' ? `instance ${object.name}` : refKey(object);
}

/** Where an instance of `product` is in its life, from the state its API reports (every product says DELETING). */
export function phaseOf(product: Product, state: string): InstancePhase {
  return state === PRODUCT_INFO[product].readyState ? 'ready' : state === 'DELETING' ? 'deleting' : 'changing';
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

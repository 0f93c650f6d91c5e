import { createHash } from 'node:crypto';
import type { EndpointRole, InstanceName } from '../model/instance.js';
import { PRODUCT_INFO } from '../model/products.js';

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/**
 * Names and label values derived from an instance's identity. The id alone is not unique (the same id can exist in
 * two regions, projects or products), so a short hash of the identity is appended; the result stays within the
 * 63-character limit of label values and DNS labels (ids are cut to 40 characters: Valkey's may have 63).
 */
export function instanceKey(instance: InstanceName): string {
  return `${instance.id.slice(0, 40)}-${sha256(instance.full).slice(0, 10)}`;
}

/** Base name of the instance's objects: `redis-<id>-<hash>`, `valkey-...`, `memcached-...`. */
export function objectName(instance: InstanceName): string {
  return `${PRODUCT_INFO[instance.product].objectPrefix}-${instanceKey(instance)}`;
}

const roleSuffix = (role: EndpointRole): string => (role === 'primary' ? '' : `-${role}`);

export function serviceEntryName(instance: InstanceName, role: EndpointRole): string {
  return `${objectName(instance)}${roleSuffix(role)}`;
}

/**
 * Stable host name of an endpoint; a non-primary endpoint's is a sub-domain so it cannot clash with another
 * instance. Products other than Redis add their name, so the same id in two products gets two hosts.
 */
export function endpointHost(instance: InstanceName, role: EndpointRole, suffix: string): string {
  const segment = PRODUCT_INFO[instance.product].hostSegment;
  const base = [instance.id, segment, instance.location, instance.project, suffix].filter(Boolean).join('.');
  return role === 'primary' ? base : `${role}.${base}`;
}

/** DestinationRule subset names must be unique across every DestinationRule for the egress gateway host. */
export function subsetName(instance: InstanceName, role: EndpointRole): string {
  return `${instanceKey(instance)}${roleSuffix(role)}`;
}

/** The ServiceEntry port name: the `tcp` prefix tells Istio the protocol, the rest tells people what it is. */
export function servicePortProtocolName(instance: InstanceName): string {
  return `tcp-${PRODUCT_INFO[instance.product].protocol}`;
}

/** Name of the Gateway server (and Service port prefix) that tells which endpoint a gateway port belongs to. */
export function gatewayServerName(instance: InstanceName, role: EndpointRole): string {
  return `${servicePortProtocolName(instance)}-${role}`;
}

/** The endpoint's role, read back from a Gateway server name of ours. */
export function parseGatewayServerName(name: string): EndpointRole | undefined {
  return /^tcp-(?:redis|memcache)-([a-z0-9][-a-z0-9]*)$/.exec(name)?.[1];
}

/**
 * A sharded target's node ports from `firstPort` on get a ServiceEntry of their own: `<base>-nodes-<firstPort>`, host
 * `nodes-<firstPort>.<instance host>`. Named by the port they start at, so a name says what it covers and stays the
 * same for as long as the range is split the same way.
 */
export function nodePortsEntryName(instance: InstanceName, firstPort: number): string {
  return serviceEntryName(instance, `nodes-${firstPort}`);
}

export function nodePortsHost(instance: InstanceName, firstPort: number, suffix: string): string {
  return endpointHost(instance, `nodes-${firstPort}`, suffix);
}

/** One node port's name in its ServiceEntry (names must be distinct there): `tcp-redis-11000`. */
export function nodePortName(instance: InstanceName, port: number): string {
  return `${servicePortProtocolName(instance)}-${port}`;
}

/** The role of one Memcached node: its id hashed into a DNS label of fixed length, stable for the node's life. */
export function nodeRole(nodeId: string): EndpointRole {
  return `node-${sha256(nodeId).slice(0, 6)}`;
}

const FIXED_CODES: Readonly<Record<string, string>> = { primary: 'p', read: 'r', discovery: 'd' };

/**
 * The short code of a role in Service port names, which must fit 63 characters after `tcp-<instance key>-`:
 * `p`, `r`, `d`, or for a node `n` and its six-character hash.
 */
export function roleCode(role: EndpointRole): string {
  return FIXED_CODES[role] ?? (role.startsWith('node-') ? `n${role.slice('node-'.length)}` : role);
}

/**
 * Name of an endpoint's port on the egress gateway Service: `tcp-` (Istio reads the protocol from the prefix), then
 * whose port it is, so the allocation can be read back even before the endpoint's Gateway exists.
 */
export function servicePortName(instance: InstanceName, role: EndpointRole): string {
  return servicePortNameOfCode(instance, roleCode(role));
}

/** The same, for an allocation known by its role's code. */
export function servicePortNameOfCode(instance: InstanceName, code: string): string {
  return `tcp-${instanceKey(instance)}-${code}`;
}

/** The instance key and role code a Service port name carries, if it is one of ours. */
export function parseServicePortName(name: string): { key: string; code: string } | undefined {
  const match = /^tcp-(.+)-([prd]|n[0-9a-f]{6})$/.exec(name);
  if (!match?.[1] || !match[2]) return undefined;
  return { key: match[1], code: match[2] };
}

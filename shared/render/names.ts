import { createHash } from 'node:crypto';
import type { EndpointRole } from '../model/instance.js';
import type { InstanceName } from '../products/instance-name.js';
import { PRODUCT_INFO } from '../products/registry.js';

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

// Made where the products' mappers can reach them; read here by the port-name codec and tests.
export { NODE_ROLE_PREFIX, nodeRole } from '../model/node-role.js';

import { createHash } from 'node:crypto';
import type { EndpointRole, InstanceName } from '../model/instance.js';

/**
 * Names and label values derived from an instance's full name. The id alone is not unique (the same id can exist in
 * two regions or projects), so a short hash of the full name is appended; the result stays within the 63-character
 * limit of label values and DNS labels (ids are at most 40 characters).
 */
export function instanceKey(instance: InstanceName): string {
  const hash = createHash('sha256').update(instance.full).digest('hex').slice(0, 10);
  return `${instance.id}-${hash}`;
}

/** Base name of the instance's objects: `redis-<id>-<hash>`. */
export function objectName(instance: InstanceName): string {
  return `redis-${instanceKey(instance)}`;
}

const roleSuffix = (role: EndpointRole): string => (role === 'primary' ? '' : `-${role}`);

export function serviceEntryName(instance: InstanceName, role: EndpointRole): string {
  return `${objectName(instance)}${roleSuffix(role)}`;
}

/** Stable host name of an endpoint; the read endpoint's is a sub-domain so it cannot clash with another instance. */
export function endpointHost(instance: InstanceName, role: EndpointRole, suffix: string): string {
  const base = `${instance.id}.${instance.location}.${instance.project}.${suffix}`;
  return role === 'primary' ? base : `${role}.${base}`;
}

/** DestinationRule subset names must be unique across every DestinationRule for the egress gateway host. */
export function subsetName(instance: InstanceName, role: EndpointRole): string {
  return `${instanceKey(instance)}${roleSuffix(role)}`;
}

/** Name of the Gateway server (and Service port prefix) that tells which endpoint a gateway port belongs to. */
export function gatewayServerName(role: EndpointRole): string {
  return `tcp-redis-${role}`;
}

const ROLE_CODE: Record<EndpointRole, string> = { primary: 'p', read: 'r' };

/**
 * Name of an endpoint's port on the egress gateway Service: `tcp-` (Istio reads the protocol from the prefix), then
 * whose port it is, so the allocation can be read back even before the endpoint's Gateway exists.
 */
export function servicePortName(instance: InstanceName, role: EndpointRole): string {
  return `tcp-${instanceKey(instance)}-${ROLE_CODE[role]}`;
}

/** The instance key and role a Service port name carries, if it is one of ours. */
export function parseServicePortName(name: string): { key: string; role: EndpointRole } | undefined {
  const match = /^tcp-(.+)-([pr])$/.exec(name);
  if (!match?.[1]) return undefined;
  return { key: match[1], role: match[2] === 'p' ? 'primary' : 'read' };
}

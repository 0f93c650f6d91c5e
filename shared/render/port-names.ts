import type { EndpointRole } from '../model/instance.js';
import type { InstanceName } from '../products/instance-name.js';
import { instanceKey, NODE_ROLE_PREFIX, servicePortProtocolName } from './names.js';

/**
 * The names of gateway ports are a storage format: the allocator reads its allocations back from them (Service port
 * names, Gateway server names) and quarantine keeps its clock in them. Each format is written and read here alone,
 * so writer and reader cannot drift apart; the admission policy (terraform/kubernetes/admission-policy.yaml.tftpl)
 * holds the same patterns, and a test checks every encoded name against it.
 */

const FIXED_CODES: Readonly<Record<string, string>> = { primary: 'p', read: 'r', discovery: 'd' };
const FIXED_ROLES: Readonly<Record<string, EndpointRole>> = { p: 'primary', r: 'read', d: 'discovery' };

/**
 * The short code of a role in Service port names, which must fit 63 characters after `tcp-<instance key>-`:
 * `p`, `r`, `d`, or for a node `n` and its six-character hash.
 */
export function roleCode(role: EndpointRole): string {
  return FIXED_CODES[role] ?? (role.startsWith(NODE_ROLE_PREFIX) ? `n${role.slice(NODE_ROLE_PREFIX.length)}` : role);
}

/** The role a code stands for, if it is one `roleCode` gives. */
export function roleOfCode(code: string): EndpointRole | undefined {
  if (/^n[0-9a-f]{6}$/.test(code)) return `${NODE_ROLE_PREFIX}${code.slice(1)}`;
  return Object.hasOwn(FIXED_ROLES, code) ? FIXED_ROLES[code] : undefined;
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

/** Name of the Gateway server (and Service port prefix) that tells which endpoint a gateway port belongs to. */
export function gatewayServerName(instance: InstanceName, role: EndpointRole): string {
  return `${servicePortProtocolName(instance)}-${role}`;
}

/** The endpoint's role, read back from a Gateway server name of ours. */
export function parseGatewayServerName(name: string): EndpointRole | undefined {
  return /^tcp-(?:redis|memcache)-([a-z0-9][-a-z0-9]*)$/.exec(name)?.[1];
}

const SECOND_MS = 1000;
const MINUTE_MS = 60_000;

/**
 * Name of a gateway port held in quarantine (shared/plan/port-quarantine.ts):
 * `tcp-freed-s<seconds since the epoch, base 36, rounded up>-<port>`: rounded up, so the period is never shorter than
 * configured. At most 8 characters for the time until the year 4000 (`tcp-freed-[0-9a-z]{1,12}-[0-9]{1,5}` is what
 * the admission policy lets this identity name a freed port).
 */
export function quarantinedPortName(port: number, freedAt: Date): string {
  return `tcp-freed-s${Math.ceil(freedAt.getTime() / SECOND_MS).toString(36)}-${port}`;
}

/**
 * The port and the time it was freed, or undefined if the name is not a quarantine name. Names written before the
 * seconds format carry the minute, rounded down (`tcp-freed-<minutes, base 36>-<port>`): they are read as freed at the
 * end of that minute, never earlier than they were. The two cannot be confused: a minute count has 5 digits in base 36
 * until the year 2084 and 6 until about the year 6100, where a seconds name has `s` and at least 6 digits after it.
 */
export function parseQuarantinedPortName(name: string): { port: number; freedAtMs: number } | undefined {
  const seconds = /^tcp-freed-s([0-9a-z]{6,11})-(\d+)$/.exec(name);
  if (seconds?.[1] && seconds[2]) return { port: Number(seconds[2]), freedAtMs: parseInt(seconds[1], 36) * SECOND_MS };
  const minutes = /^tcp-freed-([0-9a-z]+)-(\d+)$/.exec(name);
  if (!minutes?.[1] || !minutes[2]) return undefined;
  return { port: Number(minutes[2]), freedAtMs: (parseInt(minutes[1], 36) + 1) * MINUTE_MS };
}

/** When a quarantined port was freed, or undefined if the name is not a quarantine name. */
export const freedAtMs = (name: string): number | undefined => parseQuarantinedPortName(name)?.freedAtMs;

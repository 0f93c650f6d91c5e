import type { EndpointRole } from '../model/instance.js';
import { instanceNameOf, type KubeObject } from '../model/k8s-object.js';
import { gatewayServerName } from '../render/names.js';

const ROLES: readonly EndpointRole[] = ['primary', 'read'];

export const allocationKey = (instance: string, role: EndpointRole): string => `${instance}#${role}`;

/** Gateway ports already given out, read back from the live Gateways: that is what keeps them stable. */
export function liveAllocations(owned: readonly KubeObject[]): Map<string, number> {
  const allocations = new Map<string, number>();
  for (const gateway of owned.filter((o) => o.kind === 'Gateway')) {
    const instance = instanceNameOf(gateway);
    const servers = Array.isArray(gateway.spec['servers']) ? (gateway.spec['servers'] as unknown[]) : [];
    for (const server of servers) {
      const port = (server as { port?: { number?: unknown; name?: unknown } }).port;
      const role = ROLES.find((r) => gatewayServerName(r) === port?.name);
      if (instance && role && typeof port?.number === 'number') allocations.set(allocationKey(instance, role), port.number);
    }
  }
  return allocations;
}

export interface PortRequest {
  readonly instance: string;
  readonly role: EndpointRole;
}

/**
 * Gives each requested endpoint a gateway port: its live one if it has one that nobody else holds, else the lowest
 * free port of the range. `reserved` are ports held by anything outside the requests (foreign Service ports, ports of
 * instances out of scope, ports being freed in this same plan), which are never handed out.
 * Returns the allocations and the requests that found no free port.
 */
export function allocatePorts(
  requests: readonly PortRequest[],
  live: ReadonlyMap<string, number>,
  reserved: ReadonlySet<number>,
  range: { readonly from: number; readonly to: number },
): { allocations: Map<string, number>; exhausted: PortRequest[] } {
  const taken = new Set(reserved);
  const allocations = new Map<string, number>();
  const pending: PortRequest[] = [];
  for (const request of requests) {
    const port = live.get(allocationKey(request.instance, request.role));
    if (port !== undefined && !taken.has(port)) {
      taken.add(port);
      allocations.set(allocationKey(request.instance, request.role), port);
    } else {
      pending.push(request);
    }
  }
  const exhausted: PortRequest[] = [];
  let next = range.from;
  for (const request of pending) {
    while (next <= range.to && taken.has(next)) next++;
    if (next > range.to) {
      exhausted.push(request);
      continue;
    }
    taken.add(next);
    allocations.set(allocationKey(request.instance, request.role), next);
  }
  return { allocations, exhausted };
}

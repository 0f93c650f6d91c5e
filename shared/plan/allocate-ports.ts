import { parseInstanceName, type EndpointRole, type InstanceName } from '../model/instance.js';
import { liveSpec } from '../model/istio-specs.js';
import { instanceNameOf, LABEL_INSTANCE, type KubeObject } from '../model/k8s-object.js';
import { parseGatewayServerName, parseServicePortName, roleCode } from '../render/names.js';
import type { ServicePort } from './service-ports.js';

/**
 * A gateway port given to one endpoint of an instance. The endpoint is known by its role's code: the one thing both
 * Gateway servers and Service port names tell.
 */
export interface Allocation {
  readonly instance: InstanceName;
  readonly code: string;
  readonly port: number;
}

/** Allocations by endpoint (allocationKey), so each endpoint holds at most one port. */
export type Allocations = Map<string, Allocation>;

export const allocationKey = (instance: InstanceName, role: EndpointRole): string => codeKey(instance, roleCode(role));
const codeKey = (instance: InstanceName, code: string): string => `${instance.full}#${code}`;

function allocate(allocations: Allocations, instance: InstanceName, code: string, port: number): void {
  allocations.set(codeKey(instance, code), { instance, code, port });
}

/**
 * Gateway ports already given out, read back from the live objects: that is what keeps them stable. The Gateway's
 * servers say it first; our Service port names say it too, for an endpoint whose Gateway is not written yet (a
 * reconcile in flight, or one that failed half way) or is already deleted (a removal half done).
 */
export function liveAllocations(owned: readonly KubeObject[], servicePorts: readonly ServicePort[] = []): Allocations {
  const allocations = gatewayAllocations(owned);
  const taken = new Set([...allocations.values()].map((a) => a.port));
  const nameByKey = new Map(owned.map((o) => [o.metadata.labels?.[LABEL_INSTANCE], instanceNameOf(o)]));
  for (const port of servicePorts) {
    const parsed = parseServicePortName(port.name);
    const name = parsed ? nameByKey.get(parsed.key) : undefined;
    const instance = name === undefined ? undefined : parseInstanceName(name);
    if (!parsed || !instance || taken.has(port.port) || allocations.has(codeKey(instance, parsed.code))) continue;
    allocate(allocations, instance, parsed.code, port.port);
    taken.add(port.port);
  }
  return allocations;
}

const ownerOf = (object: KubeObject): InstanceName | undefined => {
  const name = instanceNameOf(object);
  return name === undefined ? undefined : parseInstanceName(name);
};

/** A live Gateway server's endpoint role and port, if it is one of ours and whole. */
function serverAllocation(
  port: { readonly name?: string; readonly number?: number } | undefined,
): { role: EndpointRole; port: number } | undefined {
  const role = port?.name === undefined ? undefined : parseGatewayServerName(port.name);
  return role && typeof port?.number === 'number' ? { role, port: port.number } : undefined;
}

function gatewayAllocations(owned: readonly KubeObject[]): Allocations {
  const allocations: Allocations = new Map();
  for (const gateway of owned.filter((o) => o.kind === 'Gateway')) {
    const instance = ownerOf(gateway);
    for (const server of liveSpec(gateway, 'Gateway')?.servers ?? []) {
      const found = serverAllocation(server.port);
      if (instance && found) allocate(allocations, instance, roleCode(found.role), found.port);
    }
  }
  return allocations;
}

export interface PortRequest {
  readonly instance: InstanceName;
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
  live: ReadonlyMap<string, Allocation>,
  reserved: ReadonlySet<number>,
  range: { readonly from: number; readonly to: number },
): { allocations: Allocations; exhausted: PortRequest[] } {
  const taken = new Set(reserved);
  const allocations: Allocations = new Map();
  const pending: PortRequest[] = [];
  for (const request of requests) {
    const port = live.get(allocationKey(request.instance, request.role))?.port;
    if (port !== undefined && !taken.has(port)) {
      taken.add(port);
      allocate(allocations, request.instance, roleCode(request.role), port);
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
    allocate(allocations, request.instance, roleCode(request.role), next);
  }
  return { allocations, exhausted };
}

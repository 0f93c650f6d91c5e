import { APP_NAME, LABEL_MANAGED_BY, LABEL_OWNER } from '../model/k8s-object.js';
import {
  blockCapacity,
  blockOf,
  LABEL_PORTS_FULL,
  portBlocksOf,
  portServiceName,
  type PortServiceSettings,
} from '../config/gateway-services.js';
import type { PortPlan } from './port-change.js';
import type { GatewayServiceState, OwnService, PortOwner, ServicePort } from './service-ports.js';

/**
 * Our ports' Services as one, for the allocator: every port of each (a port number is one port, whatever Service it
 * is on), named as the egress gateway Service. Undefined when none was read (direct mode with no port to free).
 */
export function mergedPortServices(services: readonly GatewayServiceState[]): GatewayServiceState | undefined {
  const [gateway] = services;
  if (!gateway) return undefined;
  if (services.length === 1) return gateway;
  return {
    ...gateway,
    ports: services.flatMap((s) => s.ports),
    ownedPorts: services.flatMap((s) => s.ownedPorts),
  };
}

/** What the plan's ports are, as desired-state.ts leaves them. */
export interface PlannedPorts {
  readonly before: readonly ServicePort[];
  readonly after: readonly ServicePort[];
  readonly owners: readonly PortOwner[];
  readonly placed: ReadonlySet<number>;
}

export type PortLayout = PortServiceSettings & { readonly ownerId: string };

/**
 * A Service of this deployment's own, as it writes one: its labels (with whether its block is full after this write),
 * and the egress gateway's pods behind it.
 */
function ownService(layout: PortLayout, after: readonly ServicePort[]): OwnService {
  const blocks = portBlocksOf(layout);
  const block = after[0] === undefined ? 0 : blockOf(blocks, after[0].port);
  const full = after.length >= blockCapacity(blocks, block);
  return {
    labels: { [LABEL_MANAGED_BY]: APP_NAME, [LABEL_OWNER]: layout.ownerId, [LABEL_PORTS_FULL]: String(full) },
    selector: { ...layout.egressGateway.selector },
  };
}

/**
 * The plan of each Service's ports. A port of an instance this plan renders goes on its block's Service, where its
 * route now points (config/gateway-services.ts); every other port (of an instance kept as it is, out of view, in
 * quarantine, or stray) stays on the Service it is on, where its live route, if any, still points. A port moving to
 * its block's Service (one given before the range had blocks) is thus added there in the make phase and removed from
 * the old one in the break phase, after the routes have moved.
 */
export function portPlansByService(
  services: readonly GatewayServiceState[],
  ports: PlannedPorts,
  layout: PortLayout,
): Omit<PortPlan, 'owned'>[] {
  const readOn = new Map<number, string>();
  for (const service of services)
    for (const port of service.ownedPorts) if (!readOn.has(port.port)) readOn.set(port.port, service.name);
  const home = (port: number): string =>
    ports.placed.has(port) ? portServiceName(layout, port) : (readOn.get(port) ?? portServiceName(layout, port));
  const afterBy = new Map<string, ServicePort[]>();
  for (const port of ports.after) {
    const name = home(port.port);
    const list = afterBy.get(name) ?? [];
    if (list.length === 0) afterBy.set(name, list);
    list.push(port);
  }
  const names = [...new Set([...services.map((s) => s.name), ...afterBy.keys()])];
  return names.map((name) =>
    servicePlan(services.find((s) => s.name === name) ?? name, afterBy.get(name) ?? [], { ports, layout }),
  );
}

/** One Service's plan: ours whole (`own`) unless it is the egress gateway Service. */
function servicePlan(
  read: GatewayServiceState | string,
  after: readonly ServicePort[],
  { ports, layout }: { ports: PlannedPorts; layout: PortLayout },
): Omit<PortPlan, 'owned'> {
  // A name alone: a Service not there yet, created by its first port's write.
  const { name, resourceVersion, ports: all = [], ownedPorts = [] } = typeof read === 'string' ? { name: read } : read;
  const service = { namespace: layout.egressGateway.namespace, name };
  return {
    service: resourceVersion ? { ...service, resourceVersion } : service,
    ...(name === layout.egressGateway.service ? {} : { own: ownService(layout, after) }),
    ...(all.length > ownedPorts.length ? { foreignPorts: all.length - ownedPorts.length } : {}),
    before: ownedPorts,
    after,
    owners: ports.owners,
  };
}

import type { KubeObject } from '../model/k8s-object.js';
import type { EndpointRole } from '../model/instance.js';
import type { InstanceName } from '../products/instance-name.js';
import { roleCode, servicePortNameOfCode } from '../render/port-names.js';

export interface ServicePort {
  readonly name: string;
  readonly port: number;
  readonly targetPort: number;
  readonly protocol: string;
}

/** A port of ours and the instance it belongs to. */
export interface PortOwner {
  readonly instance: string;
  readonly port: ServicePort;
}

/** The egress gateway Service as the planner sees it: every port, and which of them our field manager owns. */
export interface GatewayServiceState {
  readonly namespace: string;
  readonly name: string;
  readonly ports: readonly { readonly port: number; readonly protocol?: string }[];
  readonly ownedPorts: readonly ServicePort[];
  /** The version read: applies carry it, so two reconciles never both hand out a port they each saw as free. */
  readonly resourceVersion?: string;
}

/**
 * A Service of this deployment's own that holds a block of gateway ports (config/gateway-services.ts): written whole,
 * with its labels and the egress gateway's pods as its selector; it is created by its first port's apply.
 */
export interface OwnService {
  readonly labels: Readonly<Record<string, string>>;
  readonly selector: Readonly<Record<string, string>>;
}

/** The gateway port as a Service port; port = targetPort so the Gateway server port matches either (IST0162). */
export function gatewayServicePort(instance: InstanceName, role: EndpointRole, port: number): ServicePort {
  return servicePortOfCode(instance, roleCode(role), port);
}

/** The same, for an allocation known by its role's code (as allocations are keyed). */
export function servicePortOfCode(instance: InstanceName, code: string, port: number): ServicePort {
  return { name: servicePortNameOfCode(instance, code), port, targetPort: port, protocol: 'TCP' };
}

/**
 * The server-side apply body for our ports: with apply semantics, ports we applied before and leave out now are
 * removed, and ports other managers own are never touched. https://kubernetes.io/docs/reference/using-api/server-side-apply/
 */
export function serviceApplyBody(
  service: { namespace: string; name: string; resourceVersion?: string },
  ports: readonly ServicePort[],
  own?: OwnService,
): KubeObject {
  const sorted = [...ports].sort((a, b) => a.port - b.port);
  const version = service.resourceVersion ? { resourceVersion: service.resourceVersion } : {};
  const labels = own ? { labels: { ...own.labels } } : {};
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: service.name, namespace: service.namespace, ...labels, ...version },
    spec: own ? { type: 'ClusterIP', selector: { ...own.selector }, ports: sorted } : { ports: sorted },
  };
}

/** Ports on the Service that another manager owns: never allocated to an instance. */
export function foreignPorts(service: GatewayServiceState | undefined): Set<number> {
  const ours = new Set(service?.ownedPorts.map((p) => p.port));
  return new Set((service?.ports ?? []).map((p) => p.port).filter((p) => !ours.has(p)));
}

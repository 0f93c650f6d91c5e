import type { InstanceAccess } from '../model/access.js';
import type { Endpoint, NodePorts } from '../model/instance.js';
import type { WaypointPolicySpec } from '../model/istio-specs.js';
import { AUTHORIZATION_POLICY, isKind, SECURITY_API_VERSION, type KubeObject } from '../model/k8s-object.js';
import type { InstanceName } from '../products/instance-name.js';
import { metadata } from './istio-object.js';
import { objectName } from './names.js';
import { accessAnnotations, accessExportTo } from './render-access.js';
import { renderDirect, renderGatewayRoute, type RoutedEndpoint } from './render-instance.js';
import { renderNodePorts } from './render-node-ports.js';
import type { RenderSettings } from './render-settings.js';

/**
 * `ambient` mode: Istio's ambient egress recipe. A ServiceEntry in a namespace enrolled to a waypoint sends every mesh
 * connection to its host through that waypoint, with no routing objects; an AuthorizationPolicy attached to the
 * ServiceEntry decides who passes. https://istio.io/latest/docs/ambient/usage/egress-gateway/
 */

/**
 * Names the waypoint that serves a Service or ServiceEntry. Istio reads it on the object itself as well as on its
 * namespace, and the object's label wins (https://istio.io/latest/docs/ambient/usage/waypoint/, "Configure a service
 * to use a specific waypoint"): labelling our own ServiceEntries keeps them served whatever becomes of the namespace's
 * enrolment, which is the installer's.
 */
export const LABEL_USE_WAYPOINT = 'istio.io/use-waypoint';

/**
 * AMBIENT_GATEWAY_BRIDGE: a ServiceEntry served by a waypoint that gateways send to the waypoint too. Without it the
 * pinned Istio gives a gateway no endpoint for such a service; with it the gateway's cluster is HBONE to the waypoint,
 * the address dialled as the tunnel's destination (pilot/pkg/xds/endpoints/endpoint_builder.go, findServiceWaypoint:
 * "Currently only ingress and e/w gateway will call waypoints"; test/harness-tests/istio-sim-sidecar-waypoint.test.ts).
 */
export const LABEL_INGRESS_USE_WAYPOINT = 'istio.io/ingress-use-waypoint';

/** The most targets one AuthorizationPolicy may name (`spec.targetRefs` has `maxItems: 16` in Istio's CRD). */
export const TARGET_REFS_PER_POLICY = 16;

/** The instance's waypoint policies: `<base>-waypoint`, then `-waypoint-2`... when its ServiceEntries are many. */
export const waypointPolicyName = (instance: InstanceName, index: number): string =>
  `${objectName(instance)}-waypoint${index === 0 ? '' : `-${index + 1}`}`;

/**
 * A ServiceEntry as direct mode renders it in open mode, labelled for the waypoint, with resolution NONE and no
 * endpoints: the address is then the service alone, and the waypoint passes a connection on to the address dialled
 * (an ORIGINAL_DST cluster) through the same policy. A STATIC endpoint at the instance's address would also make that
 * address a workload in Istio's ambient index, with no waypoint; ztunnel looks an address up as a workload before a
 * service (`find_address`, istio/ztunnel src/state.rs) and sends a workload with no waypoint straight to it, around
 * the policy. Istio's own index shows both (test/harness-tests/istio-sim-ambient.test.ts).
 * In declared mode it is exported to no namespace of callers, only to its own (the waypoint's) and the egress
 * gateway's. Only sidecars and gateways read `exportTo`, and no sidecar has a guarded path in ambient mode: Istio's
 * sidecars do not send to a waypoint, so a sidecar given the ServiceEntry passes the connection straight to the
 * address (an ORIGINAL_DST cluster), around every policy; not given it, it is blocked under REGISTRY_ONLY. ztunnel is
 * not narrowed by it: what it gets of a service (Istio's WDS `Service`, pkg/workloadapi/workload.proto) has no
 * exportTo, only the mesh-wide `serviceEntryVisibility`, so an ambient pod of any namespace still reaches the
 * waypoint, whose policy decides (test/integration/ambient.test.ts asks Istio for both kinds of pod). The access
 * annotation says, for records and `explain`, who the policy lets through.
 */
function waypointEntry(
  entry: KubeObject,
  settings: RenderSettings,
  access?: InstanceAccess,
  bridged = false,
): KubeObject {
  const labelled = {
    ...entry.metadata,
    labels: {
      ...entry.metadata.labels,
      [LABEL_USE_WAYPOINT]: settings.ambientWaypoint,
      ...(bridged ? { [LABEL_INGRESS_USE_WAYPOINT]: 'true' } : {}),
    },
  };
  // On the bridge the declaring namespaces' sidecars get it back, with the gateway's route: they send to the gateway.
  const callers = bridged && access ? accessExportTo(access, settings) : [settings.egressGateway.namespace];
  const exportTo = access && [...new Set([...callers, settings.istioNamespace])].sort();
  const spec: Record<string, unknown> = { ...entry.spec, resolution: 'NONE', ...(exportTo ? { exportTo } : {}) };
  delete spec['endpoints'];
  return { ...entry, metadata: access ? accessAnnotations(labelled, access) : labelled, spec };
}

/**
 * A node-port ServiceEntry split into one per address: Istio's waypoint keeps one service per host and namespace
 * (`findWaypointResources`, pilot/pkg/networking/core/waypoint.go) while a ServiceEntry with two addresses is two
 * services, so one of the addresses would reach the waypoint and match no chain. Each address gets its own host
 * (`nodes-<port>-<k>` past the first).
 */
function perAddress(entry: KubeObject): KubeObject[] {
  if (!isKind(entry, 'ServiceEntry')) return [entry];
  const addresses = entry.spec.addresses ?? [];
  if (addresses.length < 2) return [entry];
  const [host = ''] = entry.spec.hosts ?? [];
  const dot = host.indexOf('.');
  return addresses.map((address, k) => {
    const suffix = k === 0 ? '' : `-${k + 1}`;
    return {
      ...entry,
      metadata: { ...entry.metadata, name: `${entry.metadata.name}${suffix}` },
      spec: { ...entry.spec, hosts: [`${host.slice(0, dot)}${suffix}${host.slice(dot)}`], addresses: [address] },
    };
  });
}

const portsOf = (entry: KubeObject): number[] =>
  isKind(entry, 'ServiceEntry') ? (entry.spec.ports ?? []).map((p) => p.number ?? 0) : [];

/**
 * ALLOW for the declared callers, attached to the instance's ServiceEntries (at most 16 a policy), on their ports. The
 * waypoint enforces it at L4 (a connection has no request attributes): the caller's principal (ztunnel's mutual TLS
 * to the waypoint carries it) or namespace. Sources in `from` are alternatives, so principals and namespaces each get
 * one. With no caller declared, no rule: an ALLOW policy that matches nothing denies every request to its targets
 * ("If there are no ALLOW policies for the workload, allow the request. If any of the ALLOW policies match the
 * request, allow the request. Deny the request."). https://istio.io/latest/docs/reference/config/security/authorization-policy/
 */
export function renderWaypointPolicies(
  instance: InstanceName,
  entries: readonly KubeObject[],
  access: InstanceAccess,
  settings: RenderSettings,
): KubeObject[] {
  const principals = [...new Set(access.principals)].sort();
  const namespaces = [...new Set(access.namespaces)].sort();
  const from = [
    ...(principals.length ? [{ source: { principals } }] : []),
    ...(namespaces.length ? [{ source: { namespaces } }] : []),
  ];
  const groups: KubeObject[][] = [];
  for (let i = 0; i < entries.length; i += TARGET_REFS_PER_POLICY)
    groups.push(entries.slice(i, i + TARGET_REFS_PER_POLICY));
  return groups.map((group, index) => {
    const ports = [...new Set(group.flatMap(portsOf))].sort((a, b) => a - b).map(String);
    const spec: WaypointPolicySpec = {
      targetRefs: group.map((e) => ({ group: 'networking.istio.io', kind: 'ServiceEntry', name: e.metadata.name })),
      action: 'ALLOW',
      ...(from.length ? { rules: [{ from, to: [{ operation: { ports } }] }] } : {}),
    };
    return {
      apiVersion: SECURITY_API_VERSION,
      kind: AUTHORIZATION_POLICY,
      metadata: metadata(instance, waypointPolicyName(instance, index), settings),
      spec,
    };
  });
}

/**
 * The instance's ServiceEntries (its endpoints and, with SHARDED_NODE_PORTS, a sharded target's node ports), each
 * labelled for the waypoint; with `access` (declared mode) annotated, and the waypoint policies after them.
 *
 * With `gatewayRoute` (AMBIENT_GATEWAY_BRIDGE; its endpoints with their gateway ports), egress-gateway mode's route as
 * well, for pods still on sidecars, which have no way to a waypoint of their own: the sidecar sends to the egress
 * gateway, whose policy checks the sidecar's identity, and the gateway to the waypoint (LABEL_INGRESS_USE_WAYPOINT),
 * whose policy admits the gateway (EGRESS_GATEWAY_PRINCIPAL) beside the declared callers: it sees the gateway's
 * identity, not the sidecar's. Ambient pods go to the waypoint as without the bridge. The ServiceEntries stay without
 * endpoints, so no caller of either kind is sent straight to the address.
 */
export function renderAmbient(
  instance: InstanceName,
  target: {
    readonly endpoints: readonly Endpoint[];
    readonly nodePorts?: NodePorts | undefined;
    readonly gatewayRoute?: readonly RoutedEndpoint[] | undefined;
  },
  settings: RenderSettings,
  access?: InstanceAccess,
): KubeObject[] {
  const bridge = target.gatewayRoute && settings.gatewayBridge;
  const entries = [
    ...renderDirect(instance, target.endpoints, settings),
    ...renderNodePorts(instance, target.nodePorts, settings).flatMap(perAddress),
  ].map((entry) => waypointEntry(entry, settings, access, bridge !== undefined));
  const route = bridge ? renderGatewayRoute(instance, target.gatewayRoute ?? [], settings, access) : [];
  if (!access) return [...entries, ...route];
  const admitted = bridge ? { ...access, principals: [...access.principals, bridge.gatewayPrincipal] } : access;
  return [...entries, ...renderWaypointPolicies(instance, entries, admitted, settings), ...route];
}

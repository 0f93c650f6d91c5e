import type { GatewayServiceJson } from './cluster-view.js';
import { rbacDecision } from './envoy-rbac.js';
import { simulateAmbient, waypointEndpointSlice, waypointObjects } from '../harness/istio-sim/ambient.js';
import {
  asInput,
  gatewayPod,
  isBlocked,
  parseOutboundCluster,
  simulate,
  type SimResult,
} from '../harness/istio-sim/index.js';
import type { KubeObject } from '../../shared/model/k8s-object.js';

/**
 * Where a declared caller's TCP connection to an instance goes at one moment of a mode change, asked of Istio's own
 * code for both kinds of caller, on the objects as stored (no run-time Envoy or ztunnel):
 *
 * - a pod with a sidecar, in a namespace not enrolled in ambient: Istio's config generation for its sidecar and for
 *   the egress gateway (istiod with ambient on, as in a mesh where other pods are ambient), walked by Istio's traffic
 *   simulator, the gateway's RBAC decided for the caller, and the endpoints of the cluster the gateway ends on;
 * - an ambient pod: Istio's ambient index (what ztunnel gets) for the address and the waypoint's generated RBAC.
 *
 * Paths:
 * - `gateway`: sidecar → egress gateway, which admits the caller and sends it to the instance;
 * - `gateway, waypoint`: sidecar → egress gateway, which admits the caller and sends it over HBONE to the waypoint
 *   (the ServiceEntry's `istio.io/ingress-use-waypoint`), whose policy admits the gateway;
 * - `gateway, refused at waypoint`: the gateway admits the caller, the waypoint refuses the gateway;
 * - `gateway, no endpoint`: the gateway admits it and has nowhere to send it (its cluster has no endpoint);
 * - `direct`: straight to the instance with no Istio check on the way; only a NetworkPolicy stops it;
 * - `waypoint`: ztunnel → the waypoint, which admits the caller and sends it on;
 * - `blocked`, `refused`: nothing takes it, or a policy refuses it.
 */
export type CallerPath =
  | 'gateway'
  | 'gateway, waypoint'
  | 'gateway, refused at waypoint'
  | 'gateway, no endpoint'
  | 'direct'
  | 'waypoint'
  | 'blocked'
  | 'refused';

export interface Caller {
  readonly namespace: string;
  readonly serviceAccount: string;
}

export interface MeshAt {
  /** Our Istio objects at that moment. */
  readonly objects: readonly KubeObject[];
  /** The egress gateway's Services at that moment (their ports and targetPorts). */
  readonly services: readonly GatewayServiceJson[];
}

const GATEWAY_IP = '10.1.0.9';
const WAYPOINT = { name: 'waypoint', ip: '10.1.0.30', clusterIP: '10.96.0.30' };
const spiffe = (c: Caller) => `spiffe://cluster.local/ns/${c.namespace}/sa/${c.serviceAccount}`;
/**
 * The egress gateway as Istio's default install runs it (the `istio-egressgateway-service-account` service account).
 * A mesh hop's policy sees the identity of the proxy that opened the connection, the gateway's, not its caller's:
 * Istio's ambient guide admits a gateway's own service account to let the gateway's callers through
 * (https://istio.io/latest/docs/ambient/getting-started/enforce-auth-policies/).
 */
const gatewayCaller = (namespace: string): Caller => ({
  namespace,
  serviceAccount: 'istio-egressgateway-service-account',
});

/**
 * The waypoint and the namespaces as the installer leaves them: the egress namespace enrolled to the waypoint
 * (`istioctl waypoint apply --enroll-namespace`), the caller's namespace labelled neither way (the sidecar and ambient
 * simulations each model one kind of pod).
 */
function ambientKube(egressNamespace: string, callerNamespace: string): object[] {
  const namespace = (name: string, labels: Record<string, string> = {}) => ({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name, labels },
  });
  return [
    namespace(egressNamespace, { 'istio.io/use-waypoint': WAYPOINT.name }),
    ...(callerNamespace === egressNamespace ? [] : [namespace(callerNamespace)]),
    ...waypointObjects(egressNamespace, WAYPOINT.ip, WAYPOINT.clusterIP, WAYPOINT.name),
    waypointEndpointSlice(egressNamespace, WAYPOINT.ip, WAYPOINT.name),
  ];
}

/** A sidecar caller's path to `address:port`. */
export async function sidecarPath(mesh: MeshAt, caller: Caller, address: string, port: number): Promise<CallerPath> {
  const gateway = mesh.services.find((s) => s.metadata.name === 'istio-egressgateway')!;
  const egressNamespace = gateway.metadata.namespace;
  const input = {
    istio: mesh.objects.map(asInput),
    kube: [
      ...mesh.services.map((s) => asInput({ ...s, apiVersion: 'v1', kind: 'Service' })),
      gatewayPod(gateway, GATEWAY_IP),
      ...ambientKube(egressNamespace, caller.namespace),
    ],
    sidecar: { namespace: caller.namespace },
    gateway: { namespace: egressNamespace, labels: gateway.spec.selector, ip: GATEWAY_IP },
    ambient: true,
  };
  const first = await simulate({ ...input, calls: [{ from: 'sidecar', address, port }] });
  const atSidecar = first.results[0]!;
  if (isBlocked(atSidecar)) return 'blocked';
  const toGateway = parseOutboundCluster(atSidecar.cluster);
  const gatewayHosts = mesh.services.map((s) => `${s.metadata.name}.${s.metadata.namespace}.svc.cluster.local`);
  if (!toGateway || !gatewayHosts.includes(toGateway.host)) return leavesFor(atSidecar, address, port);
  // The gateway hop: the connection as the sidecar's cluster sends it, to the gateway Pod on the targetPort.
  const servicePort = mesh.services.flatMap((s) => s.spec.ports).find((p) => p.port === toGateway.port);
  const targetPort = Number(servicePort?.targetPort ?? toGateway.port);
  const tls = subsetTls(mesh.objects, toGateway.subset);
  const second = await simulate({
    ...input,
    calls: [
      {
        from: 'egress-gateway',
        address: GATEWAY_IP,
        port: targetPort,
        ...(tls?.mode === 'ISTIO_MUTUAL' ? { tls: 'mtls' as const, sni: tls.sni } : {}),
      },
    ],
  });
  const atGateway = second.results[0]!;
  if (isBlocked(atGateway)) return 'blocked';
  const chains = second.gatewayChains.filter((c) => c.port === targetPort);
  const decisions = chains.map((c) => rbacDecision(c.rbac ?? [], { port: targetPort, principal: spiffe(caller) }));
  if (decisions.includes('deny')) return 'refused';
  const endpoints = atGateway.endpoints ?? [];
  if (endpoints.length === 0) return 'gateway, no endpoint';
  if (endpoints.every((e) => e.startsWith(`connect_originate;${address}:${port};`)))
    return (await waypointDecision(mesh, gatewayCaller(egressNamespace), address, port)) === 'allow'
      ? 'gateway, waypoint'
      : 'gateway, refused at waypoint';
  const path = leavesFor(atGateway, address, port);
  return path === 'direct' ? 'gateway' : path;
}

/**
 * The TLS a DestinationRule subset originates towards the gateway, as the sidecar sends the connection. Read from the
 * rule: with ambient on, Istio puts a sidecar cluster's TLS in transport socket matches (HBONE or mTLS), which the
 * simulator's cluster summary does not read.
 */
function subsetTls(objects: readonly KubeObject[], subset: string): { mode?: string; sni?: string } | undefined {
  for (const rule of objects.filter((o) => o.kind === 'DestinationRule')) {
    const subsets = (rule.spec['subsets'] ?? []) as Array<{ name: string; trafficPolicy?: { tls?: object } }>;
    const found = subsets.find((s) => s.name === subset);
    if (found) return found.trafficPolicy?.tls;
  }
  return undefined;
}

/** Where a proxy's matched cluster sends the connection: to the instance itself, or nowhere. */
function leavesFor(result: SimResult, address: string, port: number): CallerPath {
  if (result.clusterType === 'ORIGINAL_DST') return 'direct';
  if ((result.endpoints ?? []).includes(`${address}:${port}`)) return 'direct';
  throw new Error(`unexpected end: ${JSON.stringify(result)}`);
}

/**
 * An ambient caller's path: ztunnel looks the address up as a workload first (a workload with no waypoint is reached
 * directly), then as a service (through its waypoint, if it has one); an address Istio knows nothing of it passes
 * straight through (istio/ztunnel src/state.rs find_address, src/proxy/outbound.rs).
 */
export async function ambientPath(mesh: MeshAt, caller: Caller, address: string, port: number): Promise<CallerPath> {
  const egressNamespace = mesh.services.find((s) => s.metadata.name === 'istio-egressgateway')!.metadata.namespace;
  const answer = await simulateAmbient({
    istio: mesh.objects.map(asInput),
    kube: ambientKube(egressNamespace, caller.namespace),
    waypoint: { namespace: egressNamespace, name: WAYPOINT.name, ip: WAYPOINT.ip },
    lookups: [address],
    calls: [{ address, port, principal: spiffe(caller) }],
  });
  const found = answer.lookups[0]!;
  const workloads = found.workloads ?? [];
  if (workloads.some((w) => !w.waypoint)) return 'direct';
  if (workloads.length === 0 && !found.waypoint) return 'direct';
  const call = answer.calls[0]!;
  if (call.error) return 'blocked';
  return call.decision === 'allow' ? 'waypoint' : 'refused';
}

/** What the waypoint's generated RBAC decides for `caller` connecting to `address:port` (or why nothing matched). */
async function waypointDecision(mesh: MeshAt, caller: Caller, address: string, port: number): Promise<string> {
  const egressNamespace = mesh.services.find((s) => s.metadata.name === 'istio-egressgateway')!.metadata.namespace;
  const answer = await simulateAmbient({
    istio: mesh.objects.map(asInput),
    kube: ambientKube(egressNamespace, caller.namespace),
    waypoint: { namespace: egressNamespace, name: WAYPOINT.name, ip: WAYPOINT.ip },
    lookups: [],
    calls: [{ address, port, principal: spiffe(caller) }],
  });
  const call = answer.calls[0]!;
  return call.decision ?? call.error ?? 'no decision';
}

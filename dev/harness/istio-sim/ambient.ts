import { rbacDecision } from '../../end-to-end/envoy-rbac.js';
import { REGISTRY_ONLY, runSimulator, yamlDocs, type ProxyCost } from './index.js';

/**
 * Ambient mode with Istio's own code (dev/components/istio/ambient_test.go): Istio's ambient index (what istiod
 * serves ztunnel) and the waypoint proxy's generated listeners and clusters, from the objects alone.
 *
 * Not modelled: ztunnel itself (its capture, its own lookup and policy, HBONE and mTLS between ztunnel and the
 * waypoint), and the waypoint's Envoy at run time. A call is walked through the waypoint's generated filter-chain
 * matcher here (Istio's traffic simulator reads only the older filter_chain_match) and its RBAC is decided by
 * Envoy's documented semantics (dev/end-to-end/envoy-rbac.ts).
 *
 * An address the index has nothing for is not blocked by Istio's configuration: ztunnel passes a connection to an
 * unknown destination straight through (istio/ztunnel src/proxy/outbound.rs, "no upstream found, passthrough") and
 * does not apply REGISTRY_ONLY (istio/istio#54281), so only something outside Istio (a NetworkPolicy, a firewall)
 * stops it.
 */
export interface AmbientInput {
  /** Istio objects: ServiceEntries, AuthorizationPolicies. */
  readonly istio: readonly object[];
  /**
   * Kubernetes objects: Namespaces (with their `istio.io/use-waypoint` label), the waypoint's GatewayClass, Gateway
   * (with the status address Istio writes once a waypoint Pod is ready), Service and Pod (see `waypointObjects`).
   */
  readonly kube: readonly object[];
  readonly waypoint: { readonly namespace: string; readonly name: string; readonly ip: string };
  /** Addresses to look up in the ambient index. */
  readonly lookups?: readonly string[];
  readonly calls?: readonly AmbientCall[];
  /** MeshConfig as YAML; by default REGISTRY_ONLY. */
  readonly meshConfig?: string;
  /** false: costs only, without the chains and index entries (for large inputs). */
  readonly detail?: boolean;
}

/** A connection as the waypoint receives it: the original destination, and the caller's Istio identity. */
export interface AmbientCall {
  readonly address: string;
  readonly port: number;
  /** `spiffe://<trust domain>/ns/<ns>/sa/<sa>`; none: no identity. */
  readonly principal?: string;
}

export interface IndexWorkload {
  /** namespace/name */
  readonly name: string;
  /** namespace/hostname of the workload's own waypoint. */
  readonly waypoint?: string;
  readonly tunnelProtocol: string;
}

/** What the ambient index holds for an address. */
export interface IndexLookup {
  readonly address: string;
  /** namespace/hostname of the service whose VIP the address is; absent: no service. */
  readonly service?: string;
  readonly ports?: readonly number[];
  /** namespace/hostname of the waypoint the service is served through; absent: none. */
  readonly waypoint?: string;
  readonly waypointPort?: number;
  readonly waypointError?: string;
  /** The WDS Address resource ztunnel receives, as protobuf JSON. */
  readonly resource?: unknown;
  /** Workloads at that address: ztunnel looks an address up as a workload before it looks for a service VIP. */
  readonly workloads?: readonly IndexWorkload[];
}

/** One filter chain of the waypoint's main_internal listener. */
export interface WaypointChain {
  readonly name: string;
  readonly cluster?: string;
  /** EDS (to the endpoints listed) or ORIGINAL_DST (on to the address dialled). */
  readonly clusterType?: string;
  readonly endpoints?: readonly string[];
  /** Envoy's network RBAC filters (`envoy.extensions.filters.network.rbac.v3.RBAC`) as protobuf JSON. */
  readonly rbac?: readonly unknown[];
}

export interface AmbientCallResult {
  readonly call: AmbientCall;
  readonly chain?: string;
  readonly cluster?: string;
  readonly endpoints?: readonly string[];
  /** The chain's RBAC filters decided for the caller; absent when no chain matched. */
  readonly decision?: 'allow' | 'deny';
  readonly error?: string;
}

export interface WaypointCost extends ProxyCost {
  readonly filterChains: number;
  readonly endpoints: number;
  readonly endpointBytes: number;
  /** Services the index attaches to the waypoint. */
  readonly services: number;
}

/** What ztunnel gets: WDS Address resources (services with their ports, workloads), not Envoy listeners. */
export interface IndexCost {
  readonly services: number;
  readonly workloads: number;
  readonly ports: number;
  readonly bytes: number;
}

export interface AmbientAnswer {
  readonly lookups: readonly IndexLookup[];
  readonly chains: readonly WaypointChain[];
  readonly calls: readonly AmbientCallResult[];
  readonly listeners: readonly string[];
  readonly cost: { readonly waypoint: WaypointCost; readonly index: IndexCost };
}

interface RawCall {
  readonly call: { address: string; port: number };
  readonly chain?: string;
  readonly error?: string;
}

/** Runs Istio's ambient index and waypoint config generation once for every lookup and call. */
export async function simulateAmbient(input: AmbientInput): Promise<AmbientAnswer> {
  const calls = input.calls ?? [];
  const raw = await runSimulator<Omit<AmbientAnswer, 'calls'> & { calls: RawCall[] }>(
    'TestAmbient',
    {
      config: yamlDocs(input.istio),
      kube: yamlDocs(input.kube),
      meshConfig: input.meshConfig ?? REGISTRY_ONLY,
      waypoint: input.waypoint,
      lookups: input.lookups ?? [],
      calls: calls.map(({ address, port }) => ({ address, port })),
      detail: input.detail ?? true,
    },
    // istiod's ambient profile sets it; Istio reads it once at start-up.
    { PILOT_ENABLE_AMBIENT: 'true' },
  );
  const chains = new Map(raw.chains.map((c) => [c.name, c]));
  return {
    ...raw,
    calls: raw.calls.map((r, i): AmbientCallResult => {
      const call = calls[i]!;
      const chain = r.chain === undefined ? undefined : chains.get(r.chain);
      if (!chain) return { call, ...(r.chain ? { chain: r.chain } : {}), error: r.error ?? 'chain not reported' };
      return {
        call,
        chain: chain.name,
        ...(chain.cluster ? { cluster: chain.cluster } : {}),
        ...(chain.endpoints ? { endpoints: chain.endpoints } : {}),
        decision: rbacDecision(chain.rbac ?? [], {
          port: call.port,
          ...(call.principal ? { principal: call.principal } : {}),
        }),
      };
    }),
  };
}

/**
 * The waypoint as the installer and Istio create it, for `AmbientInput.kube`: the GatewayClass Istio installs, the
 * Gateway (`istioctl waypoint apply`) with the status address Istio writes once its Pod is ready, the Service Istio
 * creates for it, and a running Pod (no kubelet runs here). Labels as Istio puts them on a waypoint's Service and Pod.
 */
export function waypointObjects(namespace: string, ip: string, clusterIP: string, name = 'waypoint'): object[] {
  const selector = { 'gateway.networking.k8s.io/gateway-name': name };
  const managed = { 'gateway.istio.io/managed': 'istio.io-mesh-controller' };
  return [
    {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'GatewayClass',
      metadata: { name: 'istio-waypoint' },
      spec: { controllerName: 'istio.io/mesh-controller' },
    },
    {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'Gateway',
      metadata: { name, namespace },
      spec: { gatewayClassName: 'istio-waypoint', listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE' }] },
      status: { addresses: [{ type: 'Hostname', value: `${name}.${namespace}.svc.cluster.local` }] },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, namespace, labels: { ...managed, ...selector, 'istio.io/gateway-name': name } },
      spec: { clusterIP, selector, ports: [{ name: 'mesh', port: 15008, appProtocol: 'hbone' }] },
    },
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: `${name}-sim`, namespace, labels: { ...managed, ...selector } },
      spec: { serviceAccountName: name, containers: [{ name: 'istio-proxy', image: 'istio/proxyv2' }] },
      status: { phase: 'Running', podIP: ip, podIPs: [{ ip }], conditions: [{ type: 'Ready', status: 'True' }] },
    },
  ];
}

/**
 * What Kubernetes keeps for the waypoint's Service once its Pod is ready: a proxy's endpoints for the waypoint (EDS)
 * come from it, as when a gateway sends a service's traffic to its waypoint. Only the sidecar/gateway simulation
 * (`simulate` with `ambient: true`) needs it; the ambient index reads the Pod.
 */
export function waypointEndpointSlice(namespace: string, ip: string, name = 'waypoint'): object {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: `${name}-sim`, namespace, labels: { 'kubernetes.io/service-name': name } },
    addressType: 'IPv4',
    endpoints: [{ addresses: [ip], conditions: { ready: true } }],
    ports: [{ name: 'mesh', port: 15008, protocol: 'TCP', appProtocol: 'hbone' }],
  };
}

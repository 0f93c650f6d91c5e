import { liveSpec, type Live, type TcpMatch, type TcpRoute } from '../model/istio-specs.js';
import type { KubeObject } from '../model/k8s-object.js';
import type { ServicePort } from '../plan/service-ports.js';
import { LABEL_INGRESS_USE_WAYPOINT, LABEL_USE_WAYPOINT } from '../render/render-ambient.js';

/** One link of the chain a pod's connection follows, and whether the live objects hold it. */
export interface Link {
  readonly ok: boolean;
  readonly text: string;
}

/** The chain of one endpoint: from the address a pod dials to the host the mesh resolves it to. */
export interface EndpointChain {
  readonly address: string;
  readonly port: number;
  readonly links: readonly Link[];
}

export interface ChainInput {
  /**
   * The instance's live objects (its ServiceEntries and, in egress-gateway mode, Gateway, DestinationRule,
   * VirtualService).
   */
  readonly objects: readonly KubeObject[];
  /** The egress gateway Service's ports as applied by this deployment. */
  readonly servicePorts: readonly ServicePort[];
  /** `namespace/name` of the Service a gateway port is on, and its mesh host (config/gateway-services.ts). */
  readonly gatewayService: (port: number) => string;
  readonly gatewayHost: (port: number) => string;
}

const link = (ok: boolean, text: string): Link => ({ ok, text });

function routeOf(routes: readonly Live<TcpRoute>[], matches: (m: Live<TcpMatch>) => boolean): Live<TcpRoute>['route'] {
  return routes.find((r) => (r.match ?? []).some(matches))?.route;
}

interface Hop {
  readonly input: ChainInput;
  readonly entry: { readonly host: string; readonly cidr: string; readonly port: number };
  readonly routes: readonly Live<TcpRoute>[];
  readonly gatewayPort: number;
  readonly subset: string;
}

const byKind = (input: ChainInput, kind: string): KubeObject | undefined => input.objects.find((o) => o.kind === kind);

function serviceLink({ input, gatewayPort }: Hop): Link {
  const port = input.servicePorts.find((p) => p.port === gatewayPort);
  return link(
    port !== undefined,
    port
      ? `Service ${input.gatewayService(gatewayPort)} port ${gatewayPort} (${port.name}, targetPort ${port.targetPort})`
      : `Service ${input.gatewayService(gatewayPort)} has no port ${gatewayPort} of ours`,
  );
}

function subsetLink({ input, subset }: Hop): Link {
  const rule = byKind(input, 'DestinationRule');
  const has = (liveSpec(rule, 'DestinationRule')?.subsets ?? []).some((s) => s.name === subset);
  return link(has, `DestinationRule ${rule?.metadata.name ?? '(none)'} ${has ? 'has' : 'lacks'} subset ${subset}`);
}

function serverLink({ input, entry, gatewayPort }: Hop): Link {
  const gateway = byKind(input, 'Gateway');
  const servers = liveSpec(gateway, 'Gateway')?.servers ?? [];
  const found = servers.some((s) => s.port?.number === gatewayPort && (s.hosts ?? []).includes(entry.host));
  return link(
    found,
    found
      ? `Gateway ${gateway?.metadata.name} listens on ${gatewayPort} for ${entry.host}`
      : `no Gateway server on ${gatewayPort} for ${entry.host}`,
  );
}

function gatewayRouteLink({ input, entry, routes, gatewayPort }: Hop): Link {
  const name = byKind(input, 'Gateway')?.metadata.name ?? '';
  const out = routeOf(routes, (m) => (m.gateways ?? []).includes(name) && m.port === gatewayPort)?.[0]?.destination;
  if (!out) return link(false, `no gateway route for port ${gatewayPort}`);
  return link(
    out.host === entry.host && out.port?.number === entry.port,
    `egress gateway: routes port ${gatewayPort} to ${out.host}:${out.port?.number}`,
  );
}

/** The egress-gateway hops after the ServiceEntry: mesh route, Service port, subset, Gateway server, gateway route. */
function gatewayLinks(input: ChainInput, entry: Hop['entry']): Link[] {
  const virtualService = byKind(input, 'VirtualService');
  const routes = liveSpec(virtualService, 'VirtualService')?.tcp ?? [];
  const mesh = routeOf(
    routes,
    (m) =>
      (m.gateways ?? []).includes('mesh') && (m.destinationSubnets ?? []).includes(entry.cidr) && m.port === entry.port,
  )?.[0]?.destination;
  if (!virtualService || !mesh)
    return [
      link(
        false,
        `no VirtualService routes ${entry.cidr} port ${entry.port} from the mesh: sidecars reach the instance directly, if REGISTRY_ONLY lets them`,
      ),
    ];
  const hop: Hop = { input, entry, routes, gatewayPort: mesh.port?.number ?? 0, subset: mesh.subset ?? '' };
  const sidecar = link(
    mesh.host === input.gatewayHost(hop.gatewayPort),
    `sidecar: VirtualService ${virtualService.metadata.name} routes it to ${mesh.host} subset ${hop.subset} port ${hop.gatewayPort}`,
  );
  return [sidecar, serviceLink(hop), subsetLink(hop), serverLink(hop), gatewayRouteLink(hop)];
}

/**
 * What a live ServiceEntry declares: its first host, address and port (absent fields as empty), and all of its
 * addresses and ports in words (a sharded target's node ports are a block of ports on several addresses).
 */
function declared(entry: KubeObject): {
  host: string;
  cidr: string;
  port: number;
  resolution: string;
  addresses: string;
  ports: string;
} {
  const { hosts = [], addresses = [], ports = [], resolution } = liveSpec(entry, 'ServiceEntry') ?? {};
  const numbers = ports.map((p) => p.number ?? 0);
  const span =
    numbers.length > 1
      ? `ports ${Math.min(...numbers)}-${Math.max(...numbers)} (${numbers.length})`
      : `port ${numbers[0] ?? 0}`;
  return {
    host: hosts[0] ?? '',
    cidr: addresses[0] ?? '',
    port: numbers[0] ?? 0,
    resolution: String(resolution),
    addresses: addresses.join(', '),
    ports: span,
  };
}

/** In direct mode the chain ends at the ServiceEntry: sidecars connect to what it declares themselves. */
function directLink(entry: ReturnType<typeof declared>, address: string): Link {
  const many = entry.addresses.includes(',') || entry.ports.startsWith('ports');
  return link(
    true,
    many
      ? `direct: sidecars connect to ${entry.addresses} on ${entry.ports} themselves, on to the address dialled`
      : `direct: sidecars connect to ${address}:${entry.port} themselves (no egress gateway objects)`,
  );
}

/** The waypoint policies (ambient mode) that name the ServiceEntry among their targets. */
function waypointPolicies(input: ChainInput, entry: KubeObject): KubeObject[] {
  return input.objects.filter((o) => {
    const refs = liveSpec(o, 'AuthorizationPolicy')?.['targetRefs'];
    return Array.isArray(refs) && refs.some((r) => (r as { name?: unknown }).name === entry.metadata.name);
  });
}

/** Who a waypoint policy lets through, in words: its rules' principals and namespaces, or nobody. */
function allowed(policy: KubeObject): string {
  const rules = (liveSpec(policy, 'AuthorizationPolicy')?.rules ?? []) as readonly Record<string, unknown>[];
  const sources = rules.flatMap((r) => (Array.isArray(r['from']) ? r['from'] : []) as { source?: object }[]);
  const who = sources.flatMap((f) => Object.values(f.source ?? {}).flat() as string[]);
  return who.length > 0 ? who.join(', ') : 'nobody (no rule)';
}

/**
 * In ambient mode ztunnel sends every mesh connection to the address through the waypoint the ServiceEntry names; in
 * declared mode the waypoint policy attached to it says who passes.
 */
function ambientLinks(input: ChainInput, entry: KubeObject, waypoint: string): Link[] {
  const through = link(
    true,
    `ambient: ztunnel sends it through waypoint ${entry.metadata.namespace}/${waypoint} (label istio.io/use-waypoint)`,
  );
  const policies = waypointPolicies(input, entry);
  return [through, ...policies.map((p) => link(true, `AuthorizationPolicy ${p.metadata.name} allows ${allowed(p)}`))];
}

/**
 * On the gateway bridge (AMBIENT_GATEWAY_BRIDGE) sidecars keep egress-gateway mode's chain, and the gateway sends the
 * connection on to the ServiceEntry's waypoint instead of to the address.
 */
function bridgeLinks(input: ChainInput, entry: KubeObject, hop: Hop['entry']): Link[] {
  if (entry.metadata.labels?.[LABEL_INGRESS_USE_WAYPOINT] !== 'true') return [];
  const through = link(
    true,
    `gateway bridge: sidecars go through the egress gateway, which sends it on to the waypoint (label ${LABEL_INGRESS_USE_WAYPOINT})`,
  );
  return [through, ...gatewayLinks(input, hop)];
}

/**
 * Follows, in the live objects, the chain Istio builds for each endpoint: the ServiceEntry that declares the address,
 * then (egress-gateway mode) the sidecar's route to the egress gateway, the gateway Service port, the Gateway server,
 * the DestinationRule subset and the gateway's route to the instance's host. A broken link is reported, not guessed
 * around. It reads the objects as Istio would match them; it is not Istio's own translation (the tests run that).
 */
export function explainChain(input: ChainInput): EndpointChain[] {
  return input.objects
    .filter((o) => o.kind === 'ServiceEntry')
    .map((entry) => {
      const what = declared(entry);
      const { host, cidr, port, resolution } = what;
      const address = cidr.replace(/\/(32|128)$/, '');
      const declaration = link(
        host !== '' && cidr !== '',
        `ServiceEntry ${entry.metadata.name} declares ${what.addresses} ${what.ports} as ${host} (resolution ${resolution})`,
      );
      const waypoint = entry.metadata.labels?.[LABEL_USE_WAYPOINT];
      const direct = !input.objects.some((o) => o.kind === 'VirtualService');
      const rest = waypoint
        ? [...ambientLinks(input, entry, waypoint), ...bridgeLinks(input, entry, { host, cidr, port })]
        : direct
          ? [directLink(what, address)]
          : gatewayLinks(input, { host, cidr, port });
      return { address, port, links: [declaration, ...rest] };
    });
}

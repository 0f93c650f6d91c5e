import { isBlocked, parseOutboundCluster, type SimCall } from '../../dev/harness/istio-sim/index.js';
import type { ClusterView } from '../../dev/end-to-end/cluster-view.js';
import { Routing, UNDECLARED } from '../../dev/end-to-end/routing.js';
import { say } from './show.js';

/** An instance endpoint a pod may dial, named for the line it gets. */
export interface Dialled {
  readonly label: string;
  readonly address: string;
  readonly port: number;
}

/**
 * Where a pod's TCP connection to each endpoint goes, as Istio's own simulator computes it from the live objects (not
 * from our plan): `pod → IP:port → egress gateway :PORT → host:port`, or `blocked`. An address nobody declared is
 * shown too: under REGISTRY_ONLY it must be blocked.
 */
export async function showRoutes(cluster: ClusterView, endpoints: readonly Dialled[]): Promise<void> {
  const routing = new Routing(cluster);
  const calls: SimCall[] = [
    ...endpoints.map((e) => ({ from: 'sidecar' as const, address: e.address, port: e.port })),
    UNDECLARED,
  ];
  const first = await routing.simulate(calls);
  // The second hop: the gateway Pod on the targetPort of the Service port the sidecar's cluster names.
  const hops = first.results
    .map((r) => parseOutboundCluster(r.cluster))
    .map((c) => (c?.host === routing.gatewayHost ? first.targetPort(c.port) : undefined));
  const gatewayCalls = hops.filter((p): p is number => p !== undefined).map((p) => routing.gatewayCall(p));
  const second = gatewayCalls.length > 0 ? await routing.simulate(gatewayCalls) : undefined;
  const labels = [...endpoints.map((e) => e.label), 'an undeclared address'];
  first.results.forEach((result, i) => {
    const start = `pod → ${result.call.address}:${result.call.port}`;
    const where = `(${labels[i]})`;
    if (isBlocked(result)) return say(`route: ${start} → blocked (${result.error ?? result.cluster}) ${where}`);
    const direct = parseOutboundCluster(result.cluster);
    const hop = hops[i];
    if (hop === undefined)
      return say(`route: ${start} → ${direct ? `${direct.host}:${direct.port}` : result.cluster} ${where}`);
    const atGateway = second?.results.find((r) => r.call.port === hop);
    const end = atGateway && !isBlocked(atGateway) ? parseOutboundCluster(atGateway.cluster) : undefined;
    say(
      `route: ${start} → egress gateway :${direct?.port} → ${end ? `${end.host}:${end.port}` : `blocked at the gateway (${atGateway?.error ?? atGateway?.cluster})`} ${where}`,
    );
  });
}

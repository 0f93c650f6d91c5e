import type { EndpointRole } from '../../../shared/model/instance.js';
import { parseInstanceName, relativeNameOf } from '../../../shared/products/instance-name.js';
import { nodeRole, subsetName } from '../../../shared/render/names.js';
import { servicePortName } from '../../../shared/render/port-names.js';
import { parseOutboundCluster, type SimCall } from '../../../dev/harness/istio-sim/index.js';
import type { SyncRig } from './sync-rig.js';
import {
  danglingClusters,
  expectLine,
  outboundCluster,
  routeLine,
  Routing,
  UNDECLARED,
} from '../../../dev/end-to-end/routing.js';

/** One endpoint of a Memorystore instance, as the local Memorystore API reports it (not as we rendered it). */
export interface Target {
  readonly instance: string;
  readonly role: EndpointRole;
  readonly address: string;
  readonly port: number;
}

export function targetsOf(rig: SyncRig, full: string): Target[] {
  const instance = rig.memorystore.instances().find((i) => i.name === full);
  if (!instance) throw new Error(`no instance ${full}`);
  const primary: Target = { instance: full, role: 'primary', address: instance.host, port: instance.port };
  return instance.readEndpoint
    ? [primary, { instance: full, role: 'read', address: instance.readEndpoint, port: instance.readEndpointPort }]
    : [primary];
}

/** The endpoints of a Memcached instance as the local API reports them: its discovery endpoint and every node. */
export function memcachedTargetsOf(rig: SyncRig, full: string): Target[] {
  const relative = relativeNameOf(parseInstanceName(full)!);
  const instance = rig.memorystore.memcachedInstances().find((i) => i.name === relative);
  if (!instance) throw new Error(`no Memcached instance ${full}`);
  const [address = '', port = '11211'] = instance.discoveryEndpoint.split(':');
  return [
    { instance: full, role: 'discovery', address, port: Number(port) },
    ...instance.memcacheNodes.map((n) => ({ instance: full, role: nodeRole(n.nodeId), address: n.host, port: n.port })),
  ];
}

const sidecarCall = (t: { address: string; port: number }): SimCall => ({
  from: 'sidecar',
  address: t.address,
  port: t.port,
});

/** The host of the one ServiceEntry whose endpoint is this address: where a connection to it must arrive. */
async function hostDeclaring(rig: SyncRig, address: string): Promise<string> {
  // A sharded target's node-port ServiceEntries (resolution NONE) list no endpoints.
  const entries = [...(await rig.cluster.istioObjects()).values()].filter(
    (o) =>
      o.kind === 'ServiceEntry' &&
      ((o.spec['endpoints'] ?? []) as Array<{ address: string }>).some((e) => e.address === address),
  );
  if (entries.length !== 1) throw new Error(`${entries.length} ServiceEntries declare ${address}, want 1`);
  return (entries[0]!.spec['hosts'] as string[])[0]!;
}

/** The gateway port allocated to an endpoint, and its Service, read from the Services as the functions left them. */
async function gatewayPortOf(rig: SyncRig, target: Target): Promise<{ port: number; service: string }> {
  const name = servicePortName(parseInstanceName(target.instance)!, target.role);
  const port = (await rig.cluster.gatewayServicePorts()).find((p) => p.name === name);
  if (!port) throw new Error(`no gateway Service port named ${name}`);
  return port;
}

/**
 * Both hops of each target's connection, actual beside expected, plus the undeclared address (blocked at every step):
 * - sidecar → address:port ⇒ outbound|GATEWAY-PORT|SUBSET|egress gateway Service (the subset and port of this
 *   endpoint);
 * - the gateway, on the targetPort of the Service port the sidecar actually went to ⇒ outbound|port||host declaring the
 *   address.
 * `blocked` targets must end in BlackHoleCluster at the sidecar.
 */
export async function gatewayRoutes(rig: SyncRig, routed: readonly Target[], blocked: readonly Target[] = []) {
  const routing = new Routing(rig.cluster);
  const calls = [...routed, ...blocked].map(sidecarCall).concat(UNDECLARED);
  const first = await routing.simulate(calls);
  const expected = [
    ...(await Promise.all(
      routed.map(async (t) => {
        const { port, service } = await gatewayPortOf(rig, t);
        const subset = subsetName(parseInstanceName(t.instance)!, t.role);
        return expectLine(sidecarCall(t), outboundCluster(port, subset, routing.hostOf(service)));
      }),
    )),
    ...blocked.map((t) => expectLine(sidecarCall(t), 'BlackHoleCluster')),
    expectLine(UNDECLARED, 'BlackHoleCluster'),
  ];
  // Follow the hop the sidecar actually took (not the one we expect), so a wrong port shows where it really leads.
  const hops = routed.map((t, i) => {
    const port = parseOutboundCluster(first.results[i]?.cluster)?.port ?? 0;
    return routing.gatewayCall(first.targetPort(port) ?? port);
  });
  const second = hops.length
    ? await routing.simulate(hops)
    : { results: [], clusters: {}, listeners: {}, cost: {}, gatewayChains: [], clusterTls: {} };
  for (const [i, t] of routed.entries())
    expected.push(expectLine(hops[i]!, outboundCluster(t.port, '', await hostDeclaring(rig, t.address))));
  return {
    actual: [...first.results, ...second.results].map(routeLine),
    expected,
    dangling: [...danglingClusters(first), ...danglingClusters(second)],
  };
}

/** `direct` mode: sidecar → address:port ⇒ straight to the ServiceEntry's cluster, no gateway. */
export async function directRoutes(rig: SyncRig, routed: readonly Target[], blocked: readonly Target[] = []) {
  const routing = new Routing(rig.cluster);
  const answer = await routing.simulate([...routed, ...blocked].map(sidecarCall).concat(UNDECLARED));
  const expected = [
    ...(await Promise.all(
      routed.map(async (t) =>
        expectLine(sidecarCall(t), outboundCluster(t.port, '', await hostDeclaring(rig, t.address))),
      ),
    )),
    ...blocked.map((t) => expectLine(sidecarCall(t), 'BlackHoleCluster')),
    expectLine(UNDECLARED, 'BlackHoleCluster'),
  ];
  return { actual: answer.results.map(routeLine), expected, dangling: danglingClusters(answer) };
}

/** The gateway's answer for a connection on a gateway Service port (at its targetPort), as one line. */
export async function atGateway(rig: SyncRig, servicePort: number): Promise<string> {
  const routing = new Routing(rig.cluster);
  const probe = await routing.simulate([]);
  const answer = await routing.simulate([routing.gatewayCall(probe.targetPort(servicePort) ?? servicePort)]);
  return routeLine(answer.results[0]!);
}

export { gatewayPortOf, routeLine };

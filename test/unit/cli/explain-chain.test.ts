import { explainChain, type ChainInput } from '../../../shared/cli/explain-chain.js';
import type { KubeObject } from '../../../shared/model/k8s-object.js';
import { gatewayServicePort } from '../../../shared/plan/service-ports.js';
import { renderDirect, renderEgress } from '../../../shared/render/render-instance.js';
import { portServiceHost, portServiceName } from '../../../shared/config/gateway-services.js';
import { nameOf } from '../../fixtures/instances.js';
import { parseInstanceName } from '../../../shared/products/instance-name.js';
import { renderNodePorts } from '../../../shared/render/render-node-ports.js';
import { testPlanSettings } from '../../../dev/fixtures/settings.js';
import { renderAmbient, waypointPolicyName } from '../../../shared/render/render-ambient.js';
import { NO_ACCESS } from '../../../shared/model/access.js';

const settings = testPlanSettings();
const instance = nameOf('orders');
const endpoints = [
  { role: 'primary' as const, address: '10.0.0.3', port: 6379, gatewayPort: 16000 },
  { role: 'read' as const, address: '10.0.0.4', port: 6379, gatewayPort: 16001 },
];
const input = (
  objects: KubeObject[],
  ports = endpoints.map((e) => gatewayServicePort(instance, e.role, e.gatewayPort)),
): ChainInput => ({
  objects,
  servicePorts: ports,
  gatewayService: (port: number) => `istio-system/${portServiceName(settings, port)}`,
  gatewayHost: (port: number) => portServiceHost(settings, port),
});
const broken = (chains: ReturnType<typeof explainChain>): string[] =>
  chains.flatMap((c) => c.links.filter((l) => !l.ok).map((l) => `${c.address}: ${l.text}`));

describe('explain: the chain a connection follows in the live objects', () => {
  test('rendered egress objects give every endpoint a whole chain, through its own gateway port', () => {
    const chains = explainChain(input(renderEgress(instance, endpoints, settings)));
    expect(chains.map((c) => `${c.address}:${c.port}`)).toEqual(['10.0.0.3:6379', '10.0.0.4:6379']);
    expect(broken(chains)).toEqual([]);
    expect(chains[1]!.links.map((l) => l.text).join('\n')).toContain('port 16001');
  });

  test('a missing Service port is the broken link, named', () => {
    const chains = explainChain(
      input(renderEgress(instance, endpoints, settings), [gatewayServicePort(instance, 'primary', 16000)]),
    );
    expect(broken(chains)).toEqual(['10.0.0.4: Service istio-system/istio-egressgateway has no port 16001 of ours']);
  });

  test('a gateway route to the wrong port is the broken link, named', () => {
    const objects = renderEgress(instance, endpoints, settings).map((o) => {
      if (o.kind !== 'VirtualService') return o;
      const tcp = (o.spec['tcp'] as Array<{ route: Array<{ destination: { port: { number: number } } }> }>).map(
        (r, i) =>
          i === 1 ? { ...r, route: [{ destination: { ...r.route[0]!.destination, port: { number: 6380 } } }] } : r,
      );
      return { ...o, spec: { ...o.spec, tcp } };
    });
    expect(broken(explainChain(input(objects)))).toEqual([
      expect.stringMatching(/^10\.0\.0\.3: egress gateway: routes port 16000 to .+:6380$/),
    ]);
  });

  test('direct mode: the ServiceEntry is the whole chain', () => {
    const chains = explainChain(input(renderDirect(instance, endpoints, settings), []));
    expect(broken(chains)).toEqual([]);
    expect(chains[0]!.links.at(-1)!.text).toContain('direct');
  });
});

test("a sharded target's node-port ServiceEntry is explained as the block of ports on every address it declares", () => {
  const cluster = parseInstanceName(
    '//redis.googleapis.com/projects/test-project/locations/us-central1/clusters/ledger',
  )!;
  const direct = testPlanSettings({ SYNC_MODE: 'direct', SHARDED_NODE_PORTS: 'true' });
  const [first] = renderNodePorts(
    cluster,
    { addresses: ['10.40.0.2', '10.40.0.3'], range: { from: 11000, to: 13047 } },
    direct,
  );
  const [chain] = explainChain(input([first!], []));
  expect(chain!.links.map((l) => [l.ok, l.text])).toEqual([
    [
      true,
      `ServiceEntry ${first!.metadata.name} declares 10.40.0.2/32, 10.40.0.3/32 ports 11000-11063 (64) as nodes-11000.ledger.rediscluster.us-central1.test-project.memorystore.internal (resolution NONE)`,
    ],
    [
      true,
      'direct: sidecars connect to 10.40.0.2/32, 10.40.0.3/32 on ports 11000-11063 (64) themselves, on to the address dialled',
    ],
  ]);
});

describe('explain in ambient mode', () => {
  const ambient = testPlanSettings({ SYNC_MODE: 'ambient' });
  const plain = endpoints.map(({ role, address, port }) => ({ role, address, port }));

  test('each ServiceEntry names its waypoint, and in declared mode the policy that says who passes', () => {
    const access = { namespaces: ['orders'], principals: ['cluster.local/ns/web/sa/api'], declaredBy: ['orders/c'] };
    const chains = explainChain(input(renderAmbient(instance, { endpoints: plain }, ambient, access), []));
    expect(broken(chains)).toEqual([]);
    expect(chains[0]!.links.slice(1).map((l) => l.text)).toEqual([
      'ambient: ztunnel sends it through waypoint istio-system/waypoint (label istio.io/use-waypoint)',
      `AuthorizationPolicy ${waypointPolicyName(instance, 0)} allows cluster.local/ns/web/sa/api, orders`,
    ]);
    const nobody = explainChain(input(renderAmbient(instance, { endpoints: plain }, ambient, NO_ACCESS), []));
    expect(nobody[0]!.links.at(-1)!.text).toContain('allows nobody (no rule)');
  });

  test("on the gateway bridge: the waypoint for ambient pods, and the gateway's whole chain on to it for sidecars", () => {
    const bridge = testPlanSettings({ SYNC_MODE: 'ambient', AMBIENT_GATEWAY_BRIDGE: 'true' });
    const access = { namespaces: ['orders'], principals: [], declaredBy: ['orders/c'] };
    const objects = renderAmbient(instance, { endpoints: plain, gatewayRoute: endpoints }, bridge, access);
    const chains = explainChain(input(objects));
    expect(broken(chains)).toEqual([]);
    const texts = chains[0]!.links.map((l) => l.text);
    expect(texts.slice(1, 3)).toEqual([
      'ambient: ztunnel sends it through waypoint istio-system/waypoint (label istio.io/use-waypoint)',
      `AuthorizationPolicy ${waypointPolicyName(instance, 0)} allows cluster.local/ns/istio-system/sa/istio-egressgateway-service-account, orders`,
    ]);
    expect(texts[3]).toBe(
      'gateway bridge: sidecars go through the egress gateway, which sends it on to the waypoint (label istio.io/ingress-use-waypoint)',
    );
    expect(texts.slice(4).join('\n')).toContain('port 16000');
  });
});

import { portServiceHost } from '../../shared/config/gateway-services.js';
import { KubeConfig } from '@kubernetes/client-node';
import { KubeClusterStore } from '../../shared/adapters/kube-cluster-store.js';
import { NO_ACCESS, type InstanceAccess } from '../../shared/model/access.js';
import type { KubeObject } from '../../shared/model/k8s-object.js';
import type { EndpointRole } from '../../shared/model/instance.js';
import { gatewayServicePort, serviceApplyBody } from '../../shared/plan/service-ports.js';
import { endpointHost, subsetName } from '../../shared/render/names.js';
import { renderEgress, type RoutedEndpoint } from '../../shared/render/render-instance.js';
import { applyManifests, egressGatewayAnalyzeInputs } from '../../dev/harness/control-plane/index.js';
import { prepareNamespace } from '../../dev/rig/namespace.js';
import { istioctlAnalyze, istioctlValidate, writeYamlDocs } from '../../dev/harness/istioctl/index.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  asInput,
  gatewayPod,
  isBlocked,
  outboundCluster,
  simulate,
  type SimAnswer,
  type SimCall,
} from '../../dev/harness/istio-sim/index.js';
import { ClusterView } from '../../dev/end-to-end/cluster-view.js';
import { rbacDecision } from '../../dev/end-to-end/envoy-rbac.js';
import { danglingClusters, routeLine } from '../../dev/end-to-end/routing.js';
import { installerEgressManifest } from '../../dev/fixtures/installer-egress.js';
import { testPlanSettings } from '../../dev/fixtures/settings.js';
import { nameOf } from '../fixtures/instances.js';
import { sharedStack, SYNC_USER } from './shared-stack.js';

/**
 * The proof with Istio's own code (docs/least-access-mesh.md): the objects ACCESS_MODE=declared renders are written
 * to the real apiserver through the functions' own adapter (RBAC and the admission policy in force), read back as an
 * administrator, and Istio's config generation (dev/components/istio-sim) builds what a sidecar in each namespace and
 * the egress gateway would get: routes, the TLS each hop uses, and the RBAC filter the AuthorizationPolicy becomes.
 * The RBAC filter is decided by Envoy's semantics (dev/end-to-end/envoy-rbac.ts): Istio's simulator does not run it.
 * The access map is built by hand here, as declarations would resolve: namespace `team-a` as a whole, and one service
 * account of `team-c`.
 */
const stack = sharedStack();
const namespace = 'e2e-least-access';
const OWNER = 'e2e';
const GATEWAY_IP = '10.1.0.9';
const X = nameOf('cache-x');
const ENDPOINT = { role: 'primary' as const, address: '10.0.0.3', port: 6379, gatewayPort: 16379 };
const settings = testPlanSettings({
  ISTIO_NAMESPACE: namespace,
  EGRESS_GATEWAY_NAMESPACE: namespace,
  OWNER_ID: OWNER,
  ACCESS_MODE: 'declared',
  // One Service for every port: the mesh input below has the egress gateway Service alone (port-services.test.ts
  // routes through the Services of later blocks).
  GATEWAY_PORTS_PER_SERVICE: '1000',
});
const HOST = endpointHost(X, 'primary', settings.hostSuffix);
/** The Service of the port's block (GATEWAY_PORTS_PER_SERVICE): where a sidecar sends that port's traffic. */
const gatewayHost = (port: number): string => portServiceHost(settings, port);
const DECLARED: InstanceAccess = {
  namespaces: ['team-a'],
  principals: ['cluster.local/ns/team-c/sa/checkout'],
  declaredBy: ['team-a/caches', 'team-c/checkout'],
};
const spiffe = (ns: string, sa: string): string => `spiffe://cluster.local/ns/${ns}/sa/${sa}`;
/** Callers of the gateway port, each with the decision least access wants for it. */
const CALLERS: ReadonlyArray<[string | undefined, 'allow' | 'deny']> = [
  [spiffe('team-a', 'default'), 'allow'],
  [spiffe('team-a', 'worker'), 'allow'],
  [spiffe('team-c', 'checkout'), 'allow'],
  [spiffe('team-c', 'default'), 'deny'],
  [spiffe('team-b', 'default'), 'deny'],
  [spiffe('team-ab', 'default'), 'deny'],
  [undefined, 'deny'],
];
const NOBODY = CALLERS.map(([p]): [string | undefined, 'allow' | 'deny'] => [p, 'deny']);

const cluster = new ClusterView(stack.adminKubeconfig, namespace);
const kubeConfig = new KubeConfig();
kubeConfig.loadFromFile(stack.syncUserKubeconfig);
const store = new KubeClusterStore(kubeConfig, OWNER);

/** Writes an instance's objects as the functions would (create or replace); X's by default. */
async function writeAs(access: InstanceAccess, instance = X, endpoints: readonly RoutedEndpoint[] = [ENDPOINT]) {
  const live = new Map([...(await cluster.istioObjects())].map(([key, o]) => [key, o]));
  for (const object of renderEgress(instance, endpoints, settings, access)) {
    const current = live.get(`${object.kind}/${object.metadata.name}`);
    if (!current) await store.create(object);
    else
      await store.replace({
        ...object,
        metadata: { ...object.metadata, resourceVersion: current.metadata.resourceVersion! },
      });
  }
}

/** Istio's view, with the sidecar in `clientNamespace`; only the objects `keep` keeps. */
async function simulateFrom(
  clientNamespace: string,
  calls: readonly SimCall[],
  keep: (o: KubeObject) => boolean = () => true,
): Promise<SimAnswer> {
  const service = (await cluster.api.read({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'istio-egressgateway', namespace },
  })) as unknown as { metadata: { name: string; namespace: string }; spec: { selector: Record<string, string> } };
  const plain = JSON.parse(JSON.stringify(service)) as typeof service;
  return simulate({
    istio: [...(await cluster.istioObjects()).values()].filter(keep).map(asInput),
    kube: [asInput({ ...plain, apiVersion: 'v1', kind: 'Service' }), gatewayPod(plain, GATEWAY_IP)],
    sidecar: { namespace: clientNamespace },
    gateway: { namespace, labels: plain.spec.selector, ip: GATEWAY_IP },
    calls,
  });
}

const toX: SimCall = { from: 'sidecar', address: ENDPOINT.address, port: ENDPOINT.port };
/** A second instance with a read endpoint, declared by `team-b` only: routes with mutual TLS on, as routing.test.ts. */
const Y = nameOf('cache-y');
const Y_ENDPOINTS: RoutedEndpoint[] = [
  { role: 'primary', address: '10.0.0.4', port: 6378, gatewayPort: 16400 },
  { role: 'read', address: '10.0.0.5', port: 6378, gatewayPort: 16401 },
];
const Y_ACCESS: InstanceAccess = { namespaces: ['team-b'], principals: [], declaredBy: ['team-b/caches'] };
const atGateway = (port: number, tls: SimCall['tls'] = 'mtls', sni = HOST): SimCall => ({
  from: 'egress-gateway',
  address: GATEWAY_IP,
  port,
  tls,
  ...(tls === 'plaintext' ? {} : { sni }),
});

/** Who the gateway's generated RBAC lets through on `port`, caller by caller. */
function decisions(answer: SimAnswer, port: number): Array<[string | undefined, 'allow' | 'deny']> {
  const chains = answer.gatewayChains.filter((c) => c.port === port);
  if (chains.length === 0) throw new Error(`the gateway has no listener on ${port}`);
  return CALLERS.map(([principal]) => {
    const each = chains.map((c) => rbacDecision(c.rbac ?? [], { port, ...(principal ? { principal } : {}) }));
    return [principal, each.includes('deny') ? 'deny' : 'allow'];
  });
}

beforeAll(async () => {
  await prepareNamespace(stack.adminKubeconfig, { namespace, user: SYNC_USER, ownerId: OWNER });
  await applyManifests(stack.adminKubeconfig, installerEgressManifest(namespace), 'helm');
  await store.applyServicePorts(
    serviceApplyBody({ namespace, name: 'istio-egressgateway' }, [
      gatewayServicePort(X, 'primary', 16379),
      ...Y_ENDPOINTS.map((e) => gatewayServicePort(Y, e.role, e.gatewayPort)),
    ]),
  );
  await writeAs(DECLARED);
  await writeAs(Y_ACCESS, Y, Y_ENDPOINTS);
}, 60_000);
afterAll(() => store.close());

test("a declared namespace's sidecar routes to X through the gateway over Istio mutual TLS; the gateway sends it on", async () => {
  const answer = await simulateFrom('team-a', [toX, atGateway(16379)]);
  const toGateway = outboundCluster(16379, subsetName(X, 'primary'), gatewayHost(16379));
  expect(answer.results.map(routeLine)).toEqual([
    `sidecar → 10.0.0.3:6379 ⇒ ${toGateway}`,
    `egress-gateway → ${GATEWAY_IP}:16379 ⇒ ${outboundCluster(6379, '', HOST)}`,
  ]);
  expect(answer.clusterTls['sidecar']?.[toGateway]).toEqual({ sni: HOST, istioMutual: true });
});

test("the gateway's chain for X's port requires Istio mutual TLS: a plaintext connection is not taken", async () => {
  const answer = await simulateFrom('team-a', [atGateway(16379, 'plaintext')]);
  expect(isBlocked(answer.results[0]!)).toBe(true);
  expect(
    answer.gatewayChains.filter((c) => c.port === 16379).map((c) => [c.serverNames, c.tls, c.requireClientCert]),
  ).toEqual([[[HOST], true, true]]);
});

test("the gateway's generated RBAC admits exactly the declared namespace and service account on X's port", async () => {
  expect(decisions(await simulateFrom('team-a', []), 16379)).toEqual(CALLERS);
});

test('a sidecar in an undeclared namespace has no route to X', async () => {
  const answer = await simulateFrom('team-b', [toX]);
  expect(answer.results.map(routeLine)).toEqual(['sidecar → 10.0.0.3:6379 ⇒ BlackHoleCluster']);
});

test("the installer's 443 traffic through the gateway is unchanged, and no caller of it is denied", async () => {
  const call = atGateway(8443, 'tls', 'www.example.com');
  const withOurs = await simulateFrom('team-b', [call]);
  const without = await simulateFrom('team-b', [call], (o) => !o.metadata.labels?.['memorystore-egress-sync/owner']);
  expect(withOurs.results.map(routeLine)).toEqual([
    `egress-gateway → ${GATEWAY_IP}:8443 ⇒ outbound|443||www.example.com`,
  ]);
  expect(withOurs.results.map(routeLine)).toEqual(without.results.map(routeLine));
  expect(decisions(withOurs, 8443).map(([, d]) => d)).toEqual(CALLERS.map(() => 'allow'));
});

describe('a deliberately wrong policy fails the assertion', () => {
  const policyName = renderEgress(X, [ENDPOINT], settings, DECLARED).at(-1)!.metadata.name;
  async function tamper(change: (spec: Record<string, unknown>) => Record<string, unknown>): Promise<void> {
    // As an administrator: the admission policy would refuse these from the functions' identity.
    const live = (await cluster.istioObjects()).get(`AuthorizationPolicy/${policyName}`)!;
    await cluster.api.replace({ ...live, spec: change(structuredClone(live.spec) as Record<string, unknown>) });
  }
  afterEach(() => writeAs(DECLARED));

  test('a declared principal misspelt', async () => {
    await tamper((spec) => JSON.parse(JSON.stringify(spec).replace('sa/checkout', 'sa/checkuot')) as typeof spec);
    expect(decisions(await simulateFrom('team-a', []), 16379)).not.toEqual(CALLERS);
  });

  test('the DENY turned into an ALLOW', async () => {
    await tamper((spec) => ({ ...spec, action: 'ALLOW' }));
    const answer = await simulateFrom('team-a', []);
    expect(decisions(answer, 16379)).not.toEqual(CALLERS);
    // And the other team's egress through the same gateway would be cut off: the reason it is never an ALLOW.
    expect(decisions(answer, 8443).map(([, d]) => d)).toContain('deny');
  });
});

test('the declaration removed: in one write X is exported to the gateway only and its policy denies everyone', async () => {
  await writeAs(NO_ACCESS);
  try {
    const a = await simulateFrom('team-a', [toX]);
    expect(a.results.map(routeLine)).toEqual(['sidecar → 10.0.0.3:6379 ⇒ BlackHoleCluster']);
    expect(decisions(a, 16379)).toEqual(NOBODY);
  } finally {
    await writeAs(DECLARED);
  }
});

test("two instances with mutual TLS on: each endpoint reaches its own gateway port and host, never the other's", async () => {
  const host = (role: EndpointRole) => endpointHost(Y, role, settings.hostSuffix);
  const sidecarCalls = [
    toX,
    ...Y_ENDPOINTS.map((e): SimCall => ({ from: 'sidecar', address: e.address, port: e.port })),
  ];
  const gatewayCalls = [
    ...Y_ENDPOINTS.map((e) => atGateway(e.gatewayPort, 'mtls', host(e.role))),
    // X's server name on Y's port: the gateway's chain for that port is for Y's host only.
    atGateway(16400, 'mtls', HOST),
  ];
  const b = await simulateFrom('team-b', [...sidecarCalls, ...gatewayCalls]);
  const subset = (role: EndpointRole) => subsetName(Y, role);
  expect(b.results.map(routeLine)).toEqual([
    'sidecar → 10.0.0.3:6379 ⇒ BlackHoleCluster',
    `sidecar → 10.0.0.4:6378 ⇒ ${outboundCluster(16400, subset('primary'), gatewayHost(16400))}`,
    `sidecar → 10.0.0.5:6378 ⇒ ${outboundCluster(16401, subset('read'), gatewayHost(16401))}`,
    `egress-gateway → ${GATEWAY_IP}:16400 ⇒ ${outboundCluster(6378, '', host('primary'))}`,
    `egress-gateway → ${GATEWAY_IP}:16401 ⇒ ${outboundCluster(6378, '', host('read'))}`,
    `egress-gateway → ${GATEWAY_IP}:16400 ⇒ ${b.results[5]?.error ?? 'a route'}`,
  ]);
  expect(isBlocked(b.results[5]!)).toBe(true);
  expect(b.clusterTls['sidecar']?.[outboundCluster(16401, subset('read'), gatewayHost(16401))]).toEqual({
    sni: host('read'),
    istioMutual: true,
  });
  const a = await simulateFrom('team-a', sidecarCalls);
  expect(a.results.map((r) => isBlocked(r))).toEqual([false, true, true]);
  const allowedOn = (port: number) => decisions(b, port).flatMap(([p, d]) => (d === 'allow' && p ? [p] : []));
  // Of the callers, only team-b's own (the declared namespace) may use Y's ports; team-a's may not.
  const teamB = [spiffe('team-b', 'default')];
  expect([allowedOn(16400), allowedOn(16401)]).toEqual([teamB, teamB]);
});

test('X declared by team-a, Y by team-a and team-b: team-b reaches Y over mutual TLS, its subset cluster present', async () => {
  // Every instance's DestinationRule is for the same host (the gateway Service): a sidecar must get each subset it
  // is routed to, whichever other instances' rules it can or cannot see.
  await writeAs({ namespaces: ['team-a'], principals: [], declaredBy: ['team-a/caches'] });
  await writeAs({ ...Y_ACCESS, namespaces: ['team-a', 'team-b'] }, Y, Y_ENDPOINTS);
  try {
    const primary = Y_ENDPOINTS[0]!;
    const b = await simulateFrom('team-b', [{ from: 'sidecar', address: primary.address, port: primary.port }]);
    const toGateway = outboundCluster(primary.gatewayPort, subsetName(Y, 'primary'), gatewayHost(primary.gatewayPort));
    expect(b.results.map(routeLine)).toEqual([`sidecar → ${primary.address}:${primary.port} ⇒ ${toGateway}`]);
    expect(danglingClusters(b)).toEqual([]);
    expect(b.clusterTls['sidecar']?.[toGateway]).toEqual({
      sni: endpointHost(Y, 'primary', settings.hostSuffix),
      istioMutual: true,
    });
  } finally {
    await writeAs(DECLARED);
    await writeAs(Y_ACCESS, Y, Y_ENDPOINTS);
  }
});

test("Istio's own validation and analyzers find nothing wrong with the declared objects (istioctl validate, analyze)", async () => {
  const ours = [...(await cluster.istioObjects()).values()]
    .filter((o) => o.metadata.labels?.['memorystore-egress-sync/owner'] === OWNER)
    .map((o) => ({ apiVersion: o.apiVersion, kind: o.kind, metadata: o.metadata, spec: o.spec }));
  expect(new Set(ours.map((o) => o.kind))).toContain('AuthorizationPolicy');
  const dir = mkdtempSync(join(tmpdir(), 'least-access-'));
  const rendered = writeYamlDocs(
    dir,
    ours.map((o) => ({ ...o, metadata: { name: o.metadata.name, namespace: o.metadata.namespace } })),
  );
  const validation = await istioctlValidate([rendered]);
  expect([validation.code, validation.stderr]).toEqual([0, expect.not.stringMatching(/error|warn/i) as unknown]);
  const gateway = join(dir, 'gateway.yaml');
  writeFileSync(gateway, egressGatewayAnalyzeInputs(namespace, [16379, 16400, 16401]));
  const analysis = await istioctlAnalyze([rendered, gateway]);
  expect(analysis.messages.filter((m) => m.level !== 'Info')).toEqual([]);
});

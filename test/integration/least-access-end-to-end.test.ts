import { ANNOTATION_ACCESS } from '../../shared/model/access.js';
import type { KubeObject } from '../../shared/model/k8s-object.js';
import { installerEgressManifest } from '../../dev/fixtures/installer-egress.js';
import { applyManifests, createAll } from '../../dev/harness/control-plane/index.js';
import {
  asInput,
  gatewayPod,
  outboundCluster,
  simulate,
  type SimAnswer,
  type SimCall,
} from '../../dev/harness/istio-sim/index.js';
import { rbacDecision } from '../../dev/end-to-end/envoy-rbac.js';
import { routeLine } from '../../dev/end-to-end/routing.js';
import { sharedStack } from './shared-stack.js';
import type { SyncRig } from './support/sync-rig.js';
import { Declaration, startDeclaredRig } from './support/declared-access.js';
import type { PublishedRecord } from './support/audit-reader.js';

/**
 * Least access end to end, both halves together on the real stack (issue 23, "Done when"): an administrator writes a
 * MemorystoreAccess to the apiserver, GKE's k8s.io entry for it reaches syncOnAuditLog through Pub/Sub and the
 * Functions Framework, and after that one event the functions' own rendering (not a hand-built access map) is what
 * Istio's config generation turns into routes and the gateway's RBAC filter. Deleting the declaration revokes both
 * within one event. The RBAC filter is decided by Envoy's semantics (dev/end-to-end/envoy-rbac.ts): Istio's simulator
 * does not run it.
 */
const namespace = 'e2e-least-access-joined';
const A = 'e2e-joined-team-a';
const B = 'e2e-joined-team-b';
const GATEWAY_IP = '10.1.0.9';
const GATEWAY_HOST = `istio-egressgateway.${namespace}.svc.cluster.local`;
const WRITER = 'alice@example.com';
const stack = sharedStack();
const spiffe = (ns: string, sa = 'default'): string => `spiffe://cluster.local/ns/${ns}/sa/${sa}`;

/** The installer's egress (dev/fixtures/installer-egress.ts) as the gateway receives it: TLS on targetPort 8443. */
const INSTALLER_443: SimCall = {
  from: 'egress-gateway',
  address: GATEWAY_IP,
  port: 8443,
  tls: 'tls',
  sni: 'www.example.com',
};

let rig: SyncRig;
beforeAll(async () => {
  // The namespaces this deployment serves: other files' declarations on the same apiserver are not its concern.
  rig = await startDeclaredRig(namespace, { SERVICE_ENTRY_EXPORT_TO: `${A},${B},.` });
  await createAll(
    stack.adminKubeconfig,
    [A, B].map((name) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } })),
  );
  await applyManifests(stack.adminKubeconfig, installerEgressManifest(namespace), 'helm');
}, 120_000);
afterAll(async () => rig?.stop());

/** One line per record: what changed, and for the access record why and under whom. */
const summary = (records: readonly PublishedRecord[]): string[] =>
  records
    .map(({ record: r }) => `${r.action} ${r.object.kind} ${r.outcome} ${r.trigger.principal ?? '-'} ${r.reason ?? ''}`)
    .map((line) => line.trim())
    .sort();

/** One event's records for X: each object it changed, and the ServiceEntry's access record, all under the writer. */
const changesOfX = (accessReason: string): string[] =>
  [
    ...['AuthorizationPolicy', 'ServiceEntry', 'VirtualService'].map((kind) => `update ${kind} applied ${WRITER}`),
    `update ServiceEntry applied ${WRITER} ${accessReason}`,
  ].sort();

/** The access record's patch: the access seen as sets. */
const accessPatch = (records: readonly PublishedRecord[]): unknown =>
  records.filter((r) => r.record.reason?.startsWith('access:')).flatMap((r) => r.record.patch);

/** X's objects as written, by kind (one each but the ServiceEntry: one per endpoint, and X has one). */
async function objectsOf(instance: string): Promise<Map<string, KubeObject>> {
  const ours = [...(await rig.cluster.istioObjects()).values()].filter(
    (o) => o.metadata.annotations?.['memorystore-egress-sync/instance-name'] === instance,
  );
  return new Map(ours.map((o) => [o.kind, o]));
}

async function simulateFrom(clientNamespace: string, calls: readonly SimCall[]): Promise<SimAnswer> {
  const service = JSON.parse(
    JSON.stringify(
      await rig.cluster.api.read({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'istio-egressgateway', namespace },
      }),
    ),
  ) as { metadata: { name: string; namespace: string }; spec: { selector: Record<string, string> } };
  return simulate({
    istio: [...(await rig.cluster.istioObjects()).values()].map(asInput),
    kube: [asInput({ ...service, apiVersion: 'v1', kind: 'Service' }), gatewayPod(service, GATEWAY_IP)],
    sidecar: { namespace: clientNamespace },
    gateway: { namespace, labels: service.spec.selector, ip: GATEWAY_IP },
    calls,
  });
}

/** The gateway's generated RBAC decision for a caller on a port (deny if any filter chain on the port denies). */
function decision(answer: SimAnswer, port: number, principal: string): 'allow' | 'deny' {
  const chains = answer.gatewayChains.filter((c) => c.port === port);
  if (chains.length === 0) throw new Error(`the gateway has no listener on ${port}`);
  const each = chains.map((c) => rbacDecision(c.rbac ?? [], { port, principal }));
  return each.includes('deny') ? 'deny' : 'allow';
}

interface Route {
  readonly call: SimCall;
  readonly gatewayPort: number;
  readonly host: string;
  readonly subset: string;
}

/** Where a sidecar calls X, and where the functions put X on the gateway, read from the objects they wrote. */
function routeOf(objects: Map<string, KubeObject>): Route {
  const entry = objects.get('ServiceEntry')!.spec as {
    hosts: string[];
    addresses: string[];
    ports: Array<{ number: number }>;
  };
  const rule = objects.get('DestinationRule')!.spec as {
    subsets: Array<{ name: string; trafficPolicy: { portLevelSettings?: Array<{ port: { number: number } }> } }>;
  };
  const server = (objects.get('Gateway')!.spec as { servers: Array<{ port: { number: number } }> }).servers[0]!;
  return {
    call: { from: 'sidecar', address: entry.addresses[0]!.replace(/\/32$/, ''), port: entry.ports[0]!.number },
    gatewayPort: server.port.number,
    host: entry.hosts[0]!,
    subset: rule.subsets[0]!.name,
  };
}

test('a declaration for A gives A, and only A, a route and an authorization to X within one event; deleting it revokes both within one event', async () => {
  const X = await rig.createInstance('joined-cache');
  const installerBefore = (await simulateFrom(B, [INSTALLER_443])).results.map(routeLine);

  const caches = new Declaration(rig, { namespace: A, name: 'caches', writer: WRITER });
  const granted = await caches.create(X);
  const objects = await objectsOf(X);
  expect([...objects.keys()].sort()).toEqual([
    'AuthorizationPolicy',
    'DestinationRule',
    'Gateway',
    'ServiceEntry',
    'VirtualService',
  ]);
  for (const kind of ['ServiceEntry', 'VirtualService'])
    expect([kind, objects.get(kind)!.spec['exportTo']]).toEqual([kind, [A, namespace].sort()]);
  expect(JSON.parse(objects.get('ServiceEntry')!.metadata.annotations![ANNOTATION_ACCESS]!)).toEqual({
    namespaces: [A],
    principals: [],
    declaredBy: [`${A}/caches`],
  });
  expect(objects.get('DestinationRule')!.spec['exportTo']).toBeUndefined();
  const policy = objects.get('AuthorizationPolicy')!.spec as Record<string, unknown>;
  const route = routeOf(objects);
  expect(policy).toEqual({
    selector: { matchLabels: { istio: 'egressgateway' } },
    action: 'DENY',
    rules: [
      { from: [{ source: { notNamespaces: [A] } }], to: [{ operation: { ports: [String(route.gatewayPort)] } }] },
    ],
  });
  expect(summary(granted)).toEqual(changesOfX(`access: added namespaces ${A} (declared by ${A}/caches)`));
  expect(accessPatch(granted)).toEqual([{ op: 'add', path: `/access/namespaces/${A}`, value: true }]);

  const toGateway = outboundCluster(route.gatewayPort, route.subset, GATEWAY_HOST);
  const fromA = await simulateFrom(A, [route.call]);
  expect(fromA.results.map(routeLine)).toEqual([`sidecar → ${route.call.address}:${route.call.port} ⇒ ${toGateway}`]);
  expect(fromA.clusterTls['sidecar']?.[toGateway]).toEqual({ sni: route.host, istioMutual: true });
  const fromB = await simulateFrom(B, [route.call, INSTALLER_443]);
  expect(fromB.results.map(routeLine)).toEqual([
    `sidecar → ${route.call.address}:${route.call.port} ⇒ BlackHoleCluster`,
    ...installerBefore,
  ]);
  expect([A, B].map((ns) => decision(fromB, route.gatewayPort, spiffe(ns)))).toEqual(['allow', 'deny']);
  expect([A, B].map((ns) => decision(fromB, 8443, spiffe(ns)))).toEqual(['allow', 'allow']);

  // A resync right after writes and records nothing: the access is what the live objects already carry.
  const mark = rig.audit.count;
  const resync = await rig.resync();
  expect(resync.status).toBe(200);
  expect(summary(await rig.audit.since(mark))).toEqual([]);

  const revoked = await caches.delete(X);
  expect(summary(revoked)).toEqual(changesOfX(`access: removed namespaces ${A} (declared by no one)`));
  expect(accessPatch(revoked)).toEqual([{ op: 'remove', path: `/access/namespaces/${A}` }]);
  const after = await objectsOf(X);
  for (const kind of ['ServiceEntry', 'VirtualService'])
    expect([kind, after.get(kind)!.spec['exportTo']]).toEqual([kind, [namespace]]);
  const gone = await simulateFrom(A, [route.call, INSTALLER_443]);
  expect(gone.results.map(routeLine)).toEqual([
    `sidecar → ${route.call.address}:${route.call.port} ⇒ BlackHoleCluster`,
    ...installerBefore,
  ]);
  expect([A, B].map((ns) => decision(gone, route.gatewayPort, spiffe(ns)))).toEqual(['deny', 'deny']);
});

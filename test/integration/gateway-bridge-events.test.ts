import type { KubeObject } from '../../shared/model/k8s-object.js';
import { LABEL_INGRESS_USE_WAYPOINT, LABEL_USE_WAYPOINT } from '../../shared/render/render-ambient.js';
import { createAll } from '../../dev/harness/control-plane/index.js';
import { sharedStack } from './shared-stack.js';
import type { SyncRig } from './support/sync-rig.js';
import { Declaration, startDeclaredRig } from './support/declared-access.js';

/**
 * SYNC_MODE=ambient with AMBIENT_GATEWAY_BRIDGE=true through the functions as deployed: a Memorystore audit entry and
 * GKE's k8s.io entry for a MemorystoreAccess reach syncOnAuditLog, which writes as its own user under the project's
 * RBAC and admission policy. A file of its own: the functions read their settings once, when loaded.
 */
const namespace = 'e2e-bridge-events';
const A = 'e2e-bridge-events-a';
const WRITER = 'alice@example.com';
const GATEWAY = `cluster.local/ns/${namespace}/sa/istio-egressgateway-service-account`;
const stack = sharedStack();

let rig: SyncRig;
beforeAll(async () => {
  rig = await startDeclaredRig(namespace, { SYNC_MODE: 'ambient', AMBIENT_GATEWAY_BRIDGE: 'true' });
  await createAll(stack.adminKubeconfig, [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: A } }]);
}, 120_000);
afterAll(async () => rig?.stop());

async function objectsOf(instance: string): Promise<KubeObject[]> {
  return [...(await rig.cluster.istioObjects()).values()]
    .filter((o) => o.metadata.annotations?.['memorystore-egress-sync/instance-name'] === instance)
    .sort((a, b) => `${a.kind}/${a.metadata.name}`.localeCompare(`${b.kind}/${b.metadata.name}`));
}

test('create and declare, each within one event, on the gateway bridge: both routes, one gateway port', async () => {
  const X = await rig.createInstance('bridge-events-x');
  const created = await objectsOf(X);
  expect(created.map((o) => o.kind)).toEqual([
    'AuthorizationPolicy',
    'AuthorizationPolicy',
    'DestinationRule',
    'Gateway',
    'ServiceEntry',
    'VirtualService',
  ]);
  const entry = created.find((o) => o.kind === 'ServiceEntry')!;
  expect(entry.metadata.labels).toMatchObject({
    [LABEL_USE_WAYPOINT]: 'waypoint',
    [LABEL_INGRESS_USE_WAYPOINT]: 'true',
  });
  expect(entry.spec['resolution']).toBe('NONE');
  const waypointPolicy = created.find((o) => o.kind === 'AuthorizationPolicy' && o.spec['targetRefs'])!;
  // Nobody declared yet: the waypoint admits the gateway alone, whose own policy admits nobody.
  expect(waypointPolicy.spec['rules']).toEqual([
    { from: [{ source: { principals: [GATEWAY] } }], to: [{ operation: { ports: ['6379'] } }] },
  ]);
  expect((await rig.cluster.gatewayPorts()).filter((p) => p !== 80 && p !== 443)).toHaveLength(1);

  await new Declaration(rig, { namespace: A, name: 'caches', writer: WRITER }).create(X);
  const declared = await objectsOf(X);
  const rules = declared.find((o) => o.kind === 'AuthorizationPolicy' && o.spec['targetRefs'])!.spec['rules'];
  expect(rules).toEqual([
    {
      from: [{ source: { principals: [GATEWAY] } }, { source: { namespaces: [A] } }],
      to: [{ operation: { ports: ['6379'] } }],
    },
  ]);
  // Sidecars of the declaring namespace are given the ServiceEntry and the gateway route.
  expect(declared.find((o) => o.kind === 'ServiceEntry')!.spec['exportTo']).toEqual([namespace, A]);
  expect(declared.find((o) => o.kind === 'VirtualService')!.spec['exportTo']).toEqual([namespace, A]);

  const [deletion] = await rig.redis.deleteInstance({ name: X });
  await deletion.promise();
  await rig.idle();
  expect(await objectsOf(X)).toEqual([]);
  expect((await rig.cluster.gatewayPorts()).filter((p) => p !== 80 && p !== 443)).toEqual([]);
}, 120_000);

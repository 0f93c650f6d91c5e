import { ANNOTATION_ACCESS } from '../../shared/model/access.js';
import type { KubeObject } from '../../shared/model/k8s-object.js';
import { LABEL_USE_WAYPOINT } from '../../shared/render/render-ambient.js';
import { createAll } from '../../dev/harness/control-plane/index.js';
import { sharedStack } from './shared-stack.js';
import type { SyncRig } from './support/sync-rig.js';
import { Declaration, startDeclaredRig } from './support/declared-access.js';
import type { PublishedRecord } from './support/audit-reader.js';

/**
 * SYNC_MODE=ambient through the functions as deployed: Memorystore audit entries and GKE's k8s.io entry for a
 * MemorystoreAccess reach syncOnAuditLog through Pub/Sub and the Functions Framework, which writes as its own user
 * under the project's RBAC and admission policy. A file of its own: the functions read SYNC_MODE once, when loaded.
 */
const namespace = 'e2e-ambient-events';
const A = 'e2e-ambient-events-a';
const WRITER = 'alice@example.com';
const stack = sharedStack();

let rig: SyncRig;
beforeAll(async () => {
  rig = await startDeclaredRig(namespace, { SYNC_MODE: 'ambient', SERVICE_ENTRY_EXPORT_TO: `${A},.` });
  await createAll(stack.adminKubeconfig, [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: A } }]);
}, 120_000);
afterAll(async () => rig?.stop());

async function objectsOf(instance: string): Promise<KubeObject[]> {
  return [...(await rig.cluster.istioObjects()).values()]
    .filter((o) => o.metadata.annotations?.['memorystore-egress-sync/instance-name'] === instance)
    .sort((a, b) => a.kind.localeCompare(b.kind));
}

const summary = (records: readonly PublishedRecord[]): string[] =>
  records.map(({ record: r }) => `${r.action} ${r.object.kind} ${r.outcome}`).sort();

test('create, declare, fail over and delete, each within one event, in ambient mode', async () => {
  const mark = rig.audit.count;
  const X = await rig.createInstance('ambient-events-x');
  const created = await objectsOf(X);
  expect(created.map((o) => o.kind)).toEqual(['AuthorizationPolicy', 'ServiceEntry']);
  const [policy, entry] = created as [KubeObject, KubeObject];
  expect(entry.metadata.labels?.[LABEL_USE_WAYPOINT]).toBe('waypoint');
  // Declared mode: exported to the mesh's own namespace only, not SERVICE_ENTRY_EXPORT_TO: no sidecar is given it.
  expect(entry.spec['exportTo']).toEqual([namespace]);
  expect(policy.spec).toEqual({
    targetRefs: [{ group: 'networking.istio.io', kind: 'ServiceEntry', name: entry.metadata.name }],
    action: 'ALLOW',
  });
  expect(summary(await rig.audit.since(mark))).toEqual([
    'create AuthorizationPolicy applied',
    'create ServiceEntry applied',
  ]);
  expect(await rig.cluster.gatewayPorts()).toEqual([80, 443]);

  const granted = await new Declaration(rig, { namespace: A, name: 'caches', writer: WRITER }).create(X);
  const [withRule, annotated] = (await objectsOf(X)) as [KubeObject, KubeObject];
  expect(withRule.spec['rules']).toEqual([
    { from: [{ source: { namespaces: [A] } }], to: [{ operation: { ports: ['6379'] } }] },
  ]);
  expect(JSON.parse(annotated.metadata.annotations![ANNOTATION_ACCESS]!)).toMatchObject({ namespaces: [A] });
  expect(annotated.spec['exportTo']).toEqual([namespace]);
  expect(summary(granted)).toEqual([
    'update AuthorizationPolicy applied',
    'update ServiceEntry applied',
    'update ServiceEntry applied',
  ]);

  const before = rig.audit.count;
  const [failover] = await rig.redis.failoverInstance({ name: X });
  await failover.promise();
  await rig.idle();
  // The same addresses after a failover: nothing to write.
  expect(summary(await rig.audit.since(before))).toEqual([]);
  const [deletion] = await rig.redis.deleteInstance({ name: X });
  await deletion.promise();
  await rig.idle();
  expect(await objectsOf(X)).toEqual([]);
}, 120_000);

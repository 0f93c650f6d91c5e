import { KubeConfig, KubernetesObjectApi } from '@kubernetes/client-node';
import { ACCESS_GROUP, ACCESS_KIND, ACCESS_VERSION } from '../../shared/model/access.js';
import { declarationEntry } from '../../dev/fixtures/k8s-audit-entry.js';
import { createAll } from '../../dev/harness/control-plane/index.js';
import { sharedStack } from './shared-stack.js';
import { startRig, type SyncRig } from './support/sync-rig.js';

/**
 * A declaration's change through the whole event path on real components: the MemorystoreAccess written in the
 * apiserver, GKE's k8s.io entry (the stand-in of dev/fixtures/k8s-audit-entry.ts) published on the events topic,
 * delivered by Pub/Sub to syncOnAuditLog in the Functions Framework, which reads the declarations as the functions'
 * identity and records the instance's new access on the audit topic, within that one event.
 */
const namespace = 'e2e-access';
const team = 'e2e-access-team';
const stack = sharedStack();
let rig: SyncRig;
beforeAll(async () => {
  rig = await startRig({
    namespace,
    env: {
      ACCESS_MODE: 'declared',
      SYNC_CLUSTERS: JSON.stringify([
        {
          name: 'primary',
          kubeconfig: stack.syncUserKubeconfig,
          gke: 'projects/test-project/locations/us-central1/clusters/primary',
        },
      ]),
    },
  });
  await createAll(stack.adminKubeconfig, [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: team } }]);
}, 120_000);
afterAll(async () => rig?.stop());

const admin = (() => {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(stack.adminKubeconfig);
  return KubernetesObjectApi.makeApiClient(kubeConfig);
})();

const declaration = (instance: string) => ({
  apiVersion: `${ACCESS_GROUP}/${ACCESS_VERSION}`,
  kind: ACCESS_KIND,
  metadata: { name: 'orders', namespace: team },
  spec: { instances: [instance] },
});

async function published(verb: 'create' | 'delete'): Promise<void> {
  await rig.publishAuditEntry(
    declarationEntry({ namespace: team, name: 'orders', verb, cluster: 'primary', principal: 'alice@example.com' }),
  );
  await rig.idle();
}

test('a declaration created, then deleted, grants and revokes access within one event each', async () => {
  const full = await rig.createInstance('orders-cache');
  await admin.create(declaration(full) as never);
  let mark = rig.audit.count;
  await published('create');
  const granted = (await rig.audit.since(mark)).filter((r) => r.record.reason?.startsWith('access:'));
  expect(
    granted.map((r) => [r.record.instance?.name, r.record.reason, r.record.outcome, r.record.trigger.principal]),
  ).toEqual([[full, `access: added namespaces ${team} (declared by ${team}/orders)`, 'applied', 'alice@example.com']]);

  await admin.delete(declaration(full));
  mark = rig.audit.count;
  await published('delete');
  const revoked = (await rig.audit.since(mark)).filter((r) => r.record.reason?.startsWith('access:'));
  expect(revoked.map((r) => [r.record.instance?.name, r.record.reason, r.record.trigger.principal])).toEqual([
    [full, `access: removed namespaces ${team} (declared by no one)`, 'alice@example.com'],
  ]);
});

test('an entry of another cluster is acknowledged without a change', async () => {
  const mark = rig.audit.count;
  await rig.publishAuditEntry(declarationEntry({ namespace: team, name: 'orders', verb: 'create', cluster: 'other' }));
  await rig.idle();
  expect(await rig.audit.since(mark)).toEqual([]);
  expect(rig.logs().some((l) => String(l['reason']).includes('which SYNC_CLUSTERS does not name'))).toBe(true);
});

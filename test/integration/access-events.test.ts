import { declarationEntry } from '../../dev/fixtures/k8s-audit-entry.js';
import { createAll } from '../../dev/harness/control-plane/index.js';
import { sharedStack } from './shared-stack.js';
import type { SyncRig } from './support/sync-rig.js';
import { Declaration, startDeclaredRig } from './support/declared-access.js';

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
  rig = await startDeclaredRig(namespace);
  await createAll(stack.adminKubeconfig, [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: team } }]);
}, 120_000);
afterAll(async () => rig?.stop());

test('a declaration created, then deleted, grants and revokes access within one event each', async () => {
  const full = await rig.createInstance('orders-cache');
  const orders = new Declaration(rig, { namespace: team, name: 'orders', writer: 'alice@example.com' });
  const granted = (await orders.create(full)).filter((r) => r.record.reason?.startsWith('access:'));
  expect(
    granted.map((r) => [r.record.instance?.name, r.record.reason, r.record.outcome, r.record.trigger.principal]),
  ).toEqual([[full, `access: added namespaces ${team} (declared by ${team}/orders)`, 'applied', 'alice@example.com']]);

  const revoked = (await orders.delete(full)).filter((r) => r.record.reason?.startsWith('access:'));
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

import { syncDepsOn } from '../../fixtures/sync-deps.js';
import type { AuditRecord } from '../../../shared/audit/audit-record.js';
import type { AccessDeclaration } from '../../../shared/model/access.js';
import { resync } from '../../../shared/reconcile/resync.js';
import { planAccess } from '../../../shared/reconcile/access-step.js';
import { readCluster } from '../../../shared/reconcile/read-cluster.js';
import type { SyncDeps } from '../../../shared/reconcile/sync-deps.js';
import { readyInstance } from '../../fixtures/instances.js';
import { MemoryCluster } from '../../fixtures/memory-cluster.js';
import { testSync } from '../../../dev/fixtures/settings.js';

/**
 * ACCESS_MODE=declared on an in-memory cluster: declarations are read with the cluster, resolved into the access map
 * planning takes, and every authorization change is recorded; the revoke guard refuses a resync taking access from
 * too many instances. What the mesh renders from the map is tested with the rendering.
 */
class DeclaringCluster extends MemoryCluster {
  declarations: AccessDeclaration[] = [];
  reads = 0;
  async listAccessDeclarations(): Promise<{ declarations: AccessDeclaration[]; malformed: string[] }> {
    this.reads++;
    return { declarations: this.declarations, malformed: [] };
  }
}

const cache = readyInstance('cache');
const queue = readyInstance('queue');
const trigger = { kind: 'resync', principal: 'operator@example.com', scheduled: false } as const;

function depsOn(
  cluster: MemoryCluster,
  env: Record<string, string>,
  instances = [cache, queue],
): { deps: SyncDeps; published: AuditRecord[] } {
  const { deps, published } = syncDepsOn(cluster, testSync(env), new Date('2026-12-07T10:00:00Z'));
  return {
    deps: { ...deps, instances: { ...deps.instances, list: async () => ({ instances, unreachable: [] }) } },
    published,
  };
}

const declared = { ACCESS_MODE: 'declared' };
const shopUsesCache: AccessDeclaration = {
  namespace: 'shop',
  name: 'cache',
  instances: [cache.name],
  selector: [],
  serviceAccounts: [],
};

/** Both instances synced in open mode first, as an existing deployment has them. */
async function openCluster(): Promise<DeclaringCluster> {
  const cluster = new DeclaringCluster();
  await resync(depsOn(cluster, {}).deps, trigger, { dryRun: false, force: false });
  return cluster;
}

const accessRecords = (records: readonly AuditRecord[]): AuditRecord[] =>
  records.filter((r) => r.reason?.startsWith('access:') || r.object.kind === 'MemorystoreAccess');

test('open mode reads no declaration and records no access', async () => {
  const cluster = await openCluster();
  const { deps, published } = depsOn(cluster, {});
  await resync(deps, trigger, { dryRun: false, force: false });
  expect(cluster.reads).toBe(0);
  expect(accessRecords(published)).toEqual([]);
});

test('the access map holds the declared namespace for the declared instance only', async () => {
  const cluster = await openCluster();
  cluster.declarations = [shopUsesCache];
  const { deps } = depsOn(cluster, declared);
  const read = await readCluster(deps, { kind: 'complete' });
  const scope = [cache, queue].map((i) => ({ name: { full: i.name } as never, instance: i }));
  const plan = planAccess(deps, scope, read, trigger)!;
  expect([...plan.access]).toEqual([
    [cache.name, { namespaces: ['shop'], principals: [], declaredBy: ['shop/cache'] }],
  ]);
});

test('a dry run of the switch to declared shows, per instance, who would lose access and who keeps it', async () => {
  const cluster = await openCluster();
  cluster.declarations = [shopUsesCache];
  const { deps, published } = depsOn(cluster, declared);
  const result = await resync(deps, trigger, { dryRun: true, force: true });
  const reasons = accessRecords(result.report.records).map((r) => [r.instance?.name, r.reason, r.outcome]);
  expect(reasons).toEqual([
    [cache.name, 'access: added namespaces shop; removed namespaces * (declared by shop/cache)', 'planned'],
    [queue.name, 'access: removed namespaces * (declared by no one)', 'planned'],
  ]);
  expect(accessRecords(published)).toHaveLength(2);
  expect(accessRecords(published)[0]!.patch).toEqual([
    { op: 'add', path: '/access/namespaces/shop', value: true },
    { op: 'remove', path: '/access/namespaces/*' },
  ]);
});

test('the revoke guard refuses a resync that takes access from more than MAX_PRUNE_FRACTION of the instances', async () => {
  const cluster = await openCluster();
  const { deps, published } = depsOn(cluster, declared);
  const before = published.length;
  const refused = await resync(deps, trigger, { dryRun: false, force: false });
  expect(refused.report.refused).toMatch(
    /revokes access to 2 of 2 managed instances, more than MAX_PRUNE_FRACTION 0.5/,
  );
  expect(published.length).toBe(before);
  const forced = await resync(deps, trigger, { dryRun: false, force: true });
  expect(forced.report.refused).toBeUndefined();
  expect(accessRecords(published).map((r) => [r.instance?.name, r.outcome, r.trigger.principal])).toEqual([
    [cache.name, 'applied', 'operator@example.com'],
    [queue.name, 'applied', 'operator@example.com'],
  ]);
});

test('a declaration that names nothing real is recorded and logged at every resync', async () => {
  const cluster = await openCluster();
  cluster.declarations = [
    { ...shopUsesCache, name: 'typo', instances: ['projects/test-project/locations/us-central1/instances/cahce'] },
  ];
  const { deps, published } = depsOn(cluster, declared);
  await resync(deps, trigger, { dryRun: true, force: true });
  await resync(deps, trigger, { dryRun: true, force: true });
  const unmatched = published.filter((r) => r.object.kind === 'MemorystoreAccess');
  expect(unmatched).toHaveLength(2);
  expect(unmatched[0]).toMatchObject({
    object: { namespace: 'shop', name: 'typo' },
    action: 'skipped',
    reason: expect.stringContaining('instances/cahce, which is not among the synced instances'),
  });
});

test('an instance whose objects the plan keeps as they are gets no access record: its access did not change', async () => {
  const cluster = await openCluster();
  cluster.declarations = [shopUsesCache];
  const settling = readyInstance('cache', { state: 'UPDATING' });
  const { deps, published } = depsOn(cluster, declared, [settling, queue]);
  const result = await resync(deps, trigger, { dryRun: false, force: true });
  expect(result.report.records.some((r) => r.instance?.name === cache.name && r.outcome === 'skipped')).toBe(true);
  expect(accessRecords(published).map((r) => [r.instance?.name, r.outcome])).toEqual([[queue.name, 'applied']]);
});

import { syncDepsOn } from '../../fixtures/sync-deps.js';
import type { KubeObject, ObjectRef } from '../../../shared/model/k8s-object.js';
import { syncInstances } from '../../../shared/reconcile/sync.js';
import type { SyncDeps } from '../../../shared/reconcile/sync-deps.js';
import { objectName } from '../../../shared/render/names.js';
import { nameOf, readyInstance } from '../../fixtures/instances.js';
import { MemoryCluster } from '../../fixtures/memory-cluster.js';
import { testSync } from '../../../dev/fixtures/settings.js';

/**
 * What an event's reads make the apiserver do. A list by label selector is answered by testing every object of the
 * kind in the namespace against the selector (the watch cache has no label index), so its cost grows with the number
 * of instances; a read by name does not. An event reads its instance's Gateway, DestinationRule and VirtualService
 * by name; only the kinds whose names it cannot know in advance are listed.
 */
const trigger = { kind: 'resync', principal: 'operator@example.com', scheduled: false } as const;

/** Counts the objects each selected list makes the apiserver test, by kind, and the reads by name. */
class ScanCountingCluster extends MemoryCluster {
  scanned: Record<string, number> = {};
  gets: string[] = [];
  override async listIstio(namespace: string, selector?: string, kinds?: readonly string[]): Promise<KubeObject[]> {
    for (const o of this.objects.values())
      if (o.kind !== 'Service' && o.metadata.namespace === namespace && (!kinds || kinds.includes(o.kind)))
        this.scanned[o.kind] = (this.scanned[o.kind] ?? 0) + 1;
    return super.listIstio(namespace, selector, kinds);
  }
  override async get(ref: ObjectRef): Promise<KubeObject | undefined> {
    this.gets.push(`${ref.kind}/${ref.name}`);
    return super.get(ref);
  }
}

function depsOn(cluster: MemoryCluster, env: Record<string, string> = {}): SyncDeps {
  return syncDepsOn(
    cluster,
    testSync({ GATEWAY_PORT_RANGE: '20000-20099', PORT_QUARANTINE_SECONDS: '0', ...env }),
    new Date('2026-12-07T10:00:00Z'),
  ).deps;
}

const observe = (id: string) => ({ name: nameOf(id), instance: readyInstance(id) });

async function converged(count: number): Promise<ScanCountingCluster> {
  const cluster = new ScanCountingCluster();
  const all = Array.from({ length: count }, (_, k) => observe(`inst-${k}`));
  const run = await syncInstances(depsOn(cluster), all, trigger, { dryRun: false });
  expect(run.errors).toEqual([]);
  return cluster;
}

test("a no-op event reads its instance's Gateway, DestinationRule and VirtualService by name, not by a list", async () => {
  const cluster = await converged(20);
  cluster.scanned = {};
  cluster.gets = [];
  const run = await syncInstances(depsOn(cluster), [observe('inst-7')], trigger, { dryRun: false });
  expect(run.errors).toEqual([]);
  expect(run.changes.filter((c) => c.action !== 'unchanged')).toEqual([]);
  // Only the ServiceEntries are tested against the selector (no AuthorizationPolicy exists in open mode).
  expect(cluster.scanned).toEqual({ ServiceEntry: 20 });
  const name = objectName(nameOf('inst-7'));
  expect(cluster.gets.sort()).toEqual([`DestinationRule/${name}`, `Gateway/${name}`, `VirtualService/${name}`]);
});

test('what is read by name is what a list would find: a mode change still removes the gateway objects', async () => {
  const cluster = await converged(3);
  const run = await syncInstances(depsOn(cluster, { SYNC_MODE: 'direct' }), [observe('inst-1')], trigger, {
    dryRun: false,
  });
  expect(run.errors).toEqual([]);
  const name = objectName(nameOf('inst-1'));
  const deleted = run.changes.filter((c) => c.action === 'delete').map((c) => `${c.ref.kind}/${c.ref.name}`);
  expect(deleted.sort()).toEqual([`DestinationRule/${name}`, `Gateway/${name}`, `VirtualService/${name}`]);
  expect([...cluster.objects.values()].filter((o) => o.metadata.name === name).map((o) => o.kind)).toEqual([
    'ServiceEntry',
  ]);
});

test('a foreign object holding the name is not taken for ours', async () => {
  const cluster = await converged(1);
  const name = objectName(nameOf('inst-0'));
  const key = [...cluster.objects.keys()].find((k) => k.includes('VirtualService') && k.endsWith(name))!;
  const ours = cluster.objects.get(key)!;
  cluster.objects.set(key, { ...ours, metadata: { ...ours.metadata, labels: { team: 'someone-else' } } });
  const run = await syncInstances(depsOn(cluster), [observe('inst-0')], trigger, { dryRun: false });
  // The name is held by an object that is not ours: a conflict, and the object is left as it is.
  const conflicts = run.changes.filter((c) => c.action === 'conflict').map((c) => `${c.ref.kind}/${c.ref.name}`);
  expect(conflicts).toEqual([`VirtualService/${name}`]);
  expect(cluster.objects.get(key)!.metadata.labels).toEqual({ team: 'someone-else' });
});

test("a new instance's event reads each of its names once: the clash check does not read again what was read by name", async () => {
  const cluster = await converged(3);
  cluster.gets = [];
  const run = await syncInstances(depsOn(cluster), [observe('inst-new')], trigger, { dryRun: false });
  expect(run.errors).toEqual([]);
  const name = objectName(nameOf('inst-new'));
  // The ServiceEntry's name is not among the kinds read by name, so the clash check reads it.
  expect(cluster.gets.sort()).toEqual([
    `DestinationRule/${name}`,
    `Gateway/${name}`,
    `ServiceEntry/${name}`,
    `VirtualService/${name}`,
  ]);
  expect(run.changes.filter((c) => c.action === 'create').map((c) => c.ref.kind)).toEqual(
    expect.arrayContaining(['ServiceEntry', 'Gateway', 'DestinationRule', 'VirtualService']),
  );
});

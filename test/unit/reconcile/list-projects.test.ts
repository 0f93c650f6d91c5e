import { AuditWriter } from '../../../shared/audit/audit-writer.js';
import { PermanentError } from '../../../shared/errors.js';
import { Logger } from '../../../shared/log.js';
import { instanceNameOf } from '../../../shared/model/k8s-object.js';
import type { MemorystoreInstance } from '../../../shared/model/instance.js';
import type { InstanceListing } from '../../../shared/products/instance-source.js';
import { resync } from '../../../shared/reconcile/resync.js';
import { LISTINGS_AT_ONCE } from '../../../shared/reconcile/list-projects.js';
import type { SyncDeps } from '../../../shared/reconcile/sync-deps.js';
import { syncOf, testSettings } from '../../../dev/fixtures/settings.js';
import { nameOf, readyInstance } from '../../fixtures/instances.js';
import { MemoryCluster } from '../../fixtures/memory-cluster.js';

/** A resync of several projects lists each project in each location, a bounded number at once. */
const trigger = { kind: 'resync', principal: 'operator@example.com', scheduled: false } as const;
const listedIn = (id: string, project: string, host: string): MemorystoreInstance => ({
  ...readyInstance(id, { host }),
  name: nameOf(id, 'us-central1', project).full,
});

interface Api {
  /** Every list call, `project/location`. */
  readonly calls: string[];
  inFlight: number;
  mostAtOnce: number;
}

function depsOver(
  env: Record<string, string>,
  cluster: MemoryCluster,
  answer: (project: string, location: string) => InstanceListing,
): { deps: SyncDeps; api: Api; logs: Array<Record<string, unknown>> } {
  const logs: Array<Record<string, unknown>> = [];
  const log = new Logger({}, (line) => logs.push(JSON.parse(line) as Record<string, unknown>));
  const api: Api = { calls: [], inFlight: 0, mostAtOnce: 0 };
  const deps: SyncDeps = {
    settings: syncOf(testSettings(env)),
    instances: {
      get: async () => undefined,
      list: async (project, location) => {
        api.calls.push(`${project}/${location}`);
        api.inFlight += 1;
        api.mostAtOnce = Math.max(api.mostAtOnce, api.inFlight);
        await new Promise((resolve) => setTimeout(resolve, 5));
        api.inFlight -= 1;
        return answer(project, location);
      },
    },
    cluster,
    audit: new AuditWriter(log, { publish: async () => undefined }, true),
    log,
    clock: { now: () => new Date('2026-11-25T10:00:30Z'), monotonicMs: () => 0 },
    newId: () => 'id-1',
  };
  return { deps, api, logs };
}

const owners = (cluster: MemoryCluster) => new Set([...cluster.objects.values()].map(instanceNameOf));

test('every project is listed in every location, and the instances of each are synced', async () => {
  const cluster = new MemoryCluster();
  const { deps, api } = depsOver(
    { MEMORYSTORE_PROJECTS: 'team-a,team-b', MEMORYSTORE_LOCATIONS: 'us-central1,europe-west1' },
    cluster,
    (project, location) => ({
      instances: location === 'us-central1' ? [listedIn(`${project}-cache`, project, '10.0.0.9')] : [],
      unreachable: [],
    }),
  );
  await resync(deps, trigger, { dryRun: false, force: false });
  expect(api.calls.slice(0, 4).sort()).toEqual([
    'team-a/europe-west1',
    'team-a/us-central1',
    'team-b/europe-west1',
    'team-b/us-central1',
  ]);
  expect(owners(cluster)).toEqual(
    new Set([
      nameOf('team-a-cache', 'us-central1', 'team-a').full,
      nameOf('team-b-cache', 'us-central1', 'team-b').full,
    ]),
  );
});

test(`at most ${LISTINGS_AT_ONCE} listings run at once, however many projects`, async () => {
  const projects = Array.from({ length: 30 }, (_, i) => `team-${String(i).padStart(2, '0')}`);
  const { deps, api } = depsOver({ MEMORYSTORE_PROJECTS: projects.join(',') }, new MemoryCluster(), () => ({
    instances: [],
    unreachable: [],
  }));
  await resync(deps, trigger, { dryRun: false, force: false });
  expect(new Set(api.calls)).toEqual(new Set(projects.map((p) => `${p}/-`)));
  expect(api.mostAtOnce).toBeGreaterThan(1);
  expect(api.mostAtOnce).toBeLessThanOrEqual(LISTINGS_AT_ONCE);
});

test('a project whose listing fails is unknown: its instances keep their objects, the others are synced', async () => {
  const cluster = new MemoryCluster();
  let failing = false;
  const { deps, logs } = depsOver({ MEMORYSTORE_PROJECTS: 'team-a,team-b' }, cluster, (project) => {
    if (failing && project === 'team-b') throw new PermanentError('list projects/team-b/locations/-: code 7');
    return { instances: failing ? [] : [listedIn(`${project}-cache`, project, '10.0.0.9')], unreachable: [] };
  });
  await resync(deps, trigger, { dryRun: false, force: false });
  failing = true;
  // Both instances are gone from the listing of team-a's point of view; team-b could not be read at all.
  const result = await resync(deps, trigger, { dryRun: false, force: true });
  expect(result.report.errors).toEqual([]);
  expect(owners(cluster)).toEqual(new Set([nameOf('team-b-cache', 'us-central1', 'team-b').full]));
  expect(logs).toContainEqual(
    expect.objectContaining({
      severity: 'ERROR',
      project: 'team-b',
      error: expect.stringMatching(/code 7/),
      message: expect.stringMatching(/could not be listed; its instances are left as they are/),
    }),
  );
});

test('when no project can be listed, the resync fails as a single project does', async () => {
  const { deps } = depsOver({ MEMORYSTORE_PROJECTS: 'team-a,team-b' }, new MemoryCluster(), (project) => {
    throw new PermanentError(`list projects/${project}/locations/-: code 7`);
  });
  await expect(resync(deps, trigger, { dryRun: false, force: false })).rejects.toThrow(/code 7/);
});

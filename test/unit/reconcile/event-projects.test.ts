import { AuditWriter } from '../../../shared/audit/audit-writer.js';
import { Logger } from '../../../shared/log.js';
import { instanceNameOf } from '../../../shared/model/k8s-object.js';
import type { MemorystoreInstance } from '../../../shared/model/instance.js';
import { reconcileEvent } from '../../../shared/clusters/event-clusters.js';
import type { SyncDeps } from '../../../shared/reconcile/sync-deps.js';
import { logEntry, pubsubEvent } from '../../../dev/fixtures/audit-entries.js';
import { syncOf, testSettings } from '../../../dev/fixtures/settings.js';
import { nameOf, readyInstance } from '../../fixtures/instances.js';
import { MemoryCluster } from '../../fixtures/memory-cluster.js';

/** An event about an instance of any listed project is reconciled; one of a project not listed is acknowledged. */
const config = testSettings({ MEMORYSTORE_PROJECTS: 'test-project,second-project' });
const now = new Date('2026-11-25T10:00:30Z');
const instances: MemorystoreInstance[] = ['second-project', 'third-project'].map((project) => ({
  ...readyInstance('cache', { host: '10.0.0.7' }),
  name: nameOf('cache', 'us-central1', project).full,
}));

function depsOver(cluster: MemoryCluster, reads: string[]): SyncDeps {
  const log = new Logger({}, () => undefined);
  return {
    settings: syncOf(config),
    instances: {
      get: async (name) => {
        reads.push(name);
        return instances.find((i) => i.name === name);
      },
      list: async () => ({ instances: [], unreachable: [] }),
    },
    cluster,
    audit: new AuditWriter(log, { publish: async () => undefined }, true),
    log,
    clock: { now: () => now, monotonicMs: () => 0 },
    newId: () => 'id-1',
  };
}

const eventAbout = (project: string) => ({
  ...pubsubEvent(
    logEntry({
      resourceName: nameOf('cache', 'us-central1', project).full,
      resource: {
        type: 'redis_instance',
        labels: { project_id: project, region: 'us-central1', instance_id: 'cache' },
      },
    }),
  ),
  time: '2026-11-25T10:00:00Z',
});

test('an instance of the second listed project is read and configured', async () => {
  const cluster = new MemoryCluster();
  const reads: string[] = [];
  const outcome = await reconcileEvent(config, async () => depsOver(cluster, reads), eventAbout('second-project'), now);
  expect(outcome).toMatchObject({ handled: true });
  expect(new Set(reads)).toEqual(new Set([nameOf('cache', 'us-central1', 'second-project').full]));
  expect(new Set([...cluster.objects.values()].map(instanceNameOf))).toEqual(
    new Set([nameOf('cache', 'us-central1', 'second-project').full]),
  );
});

test('an instance of a project not listed is acknowledged with the reason, unread and unchanged', async () => {
  const cluster = new MemoryCluster();
  const reads: string[] = [];
  const outcome = await reconcileEvent(config, async () => depsOver(cluster, reads), eventAbout('third-project'), now);
  expect(outcome).toEqual({
    handled: false,
    reason: 'instance is in project third-project, not MEMORYSTORE_PROJECT(S) test-project, second-project',
  });
  expect(reads).toEqual([]);
  expect(cluster.objects.size).toBe(0);
});

test('an entry naming only the location of a change in a project not listed is acknowledged; in a listed one, listed there', async () => {
  const listed: string[] = [];
  const deps = depsOver(new MemoryCluster(), []);
  const listing: SyncDeps = {
    ...deps,
    instances: {
      ...deps.instances,
      list: async (project, location) => {
        listed.push(`${project}/${location}`);
        return { instances: [], unreachable: [] };
      },
    },
  };
  const trimmed = (project: string) => ({
    ...pubsubEvent(
      logEntry({
        resourceName: `projects/${project}/locations/us-central1/instances`,
        resource: null,
      }),
    ),
    time: '2026-11-25T10:00:00Z',
  });
  expect(await reconcileEvent(config, async () => listing, trimmed('third-project'), now)).toEqual({
    handled: false,
    reason: 'instance is in project third-project, not MEMORYSTORE_PROJECT(S) test-project, second-project',
  });
  expect(listed).toEqual([]);
  expect(await reconcileEvent(config, async () => listing, trimmed('second-project'), now)).toMatchObject({
    handled: true,
  });
  expect(listed[0]).toBe('second-project/us-central1');
});

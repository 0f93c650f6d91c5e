import { AuditWriter } from '../../../shared/audit/audit-writer.js';
import { Logger } from '../../../shared/log.js';
import { instanceNameOf } from '../../../shared/model/k8s-object.js';
import { reconcileEvent } from '../../../shared/clusters/event-clusters.js';
import type { SyncDeps } from '../../../shared/reconcile/sync-deps.js';
import type { MemorystoreInstance } from '../../../shared/model/instance.js';
import { logEntry, pubsubEvent } from '../../../dev/fixtures/audit-entries.js';
import { syncOf, testSettings } from '../../../dev/fixtures/settings.js';
import { activeValkey, nameOf, readyInstance } from '../../fixtures/instances.js';
import { MemoryCluster } from '../../fixtures/memory-cluster.js';

/** An entry that names a product and a location but no instance reconciles that product there, and nothing else. */
const config = testSettings({
  MEMORYSTORE_PRODUCTS: 'redis,valkey',
  MEMORYSTORE_LOCATIONS: 'us-central1,europe-west1',
});
const now = new Date('2026-11-25T10:00:30Z');

function depsOver(cluster: MemoryCluster, listed: () => MemorystoreInstance[]): SyncDeps {
  const log = new Logger({}, () => undefined);
  return {
    settings: syncOf(config),
    instances: {
      get: async (name) => listed().find((i) => i.name === name),
      list: async (_project, location) => ({
        instances: listed().filter((i) => i.name.includes(`/locations/${location}/`)),
        unreachable: [],
      }),
    },
    cluster,
    audit: new AuditWriter(log, { publish: async () => undefined }, true),
    log,
    clock: { now: () => now, monotonicMs: () => 0 },
    newId: () => 'id-1',
  };
}

const trimmed = (location: string) => ({
  ...pubsubEvent(logEntry({ resourceName: `projects/test-project/locations/${location}/instances`, resource: null })),
  time: '2026-11-25T10:00:00Z',
});

test('creates what the location lists, prunes what it no longer lists there, and leaves other places alone', async () => {
  const cluster = new MemoryCluster();
  let listed: MemorystoreInstance[] = [
    readyInstance('kept', { host: '10.0.0.3' }),
    readyInstance('gone', { host: '10.0.0.4' }),
    readyInstance('eu', { host: '10.0.0.5' }, 'europe-west1'),
    activeValkey('vk-1'),
  ];
  const deps = depsOver(cluster, () => listed);
  await reconcileEvent(config, async () => deps, trimmed('us-central1'), now);
  await reconcileEvent(config, async () => deps, trimmed('europe-west1'), now);
  const owners = () => new Set([...cluster.objects.values()].map(instanceNameOf));
  // Valkey is another product: a Redis entry does not configure it.
  expect(owners()).toEqual(new Set([nameOf('kept').full, nameOf('gone').full, nameOf('eu', 'europe-west1').full]));

  listed = listed.filter((i) => i.name !== nameOf('gone').full && i.name !== nameOf('eu', 'europe-west1').full);
  const outcome = await reconcileEvent(config, async () => deps, trimmed('us-central1'), now);
  expect(outcome).toMatchObject({ handled: true });
  // Gone from us-central1 is pruned; the one in europe-west1, not listed either, is not this entry's to prune.
  expect(owners()).toEqual(new Set([nameOf('kept').full, nameOf('eu', 'europe-west1').full]));
});

test('a location outside MEMORYSTORE_LOCATIONS is acknowledged with the reason', async () => {
  const deps = depsOver(new MemoryCluster(), () => []);
  expect(await reconcileEvent(config, async () => deps, trimmed('asia-east1'), now)).toEqual({
    handled: false,
    reason: expect.stringMatching(/asia-east1, not in MEMORYSTORE_LOCATIONS/),
  });
});

import type { AuditRecord } from '../../../shared/audit/audit-record.js';
import { AuditWriter } from '../../../shared/audit/audit-writer.js';
import { reconcileEvent } from '../../../shared/clusters/event-clusters.js';
import type { ClusterTarget } from '../../../shared/config/settings.js';
import { Logger } from '../../../shared/log.js';
import { ANNOTATION_ACCESS, encodeAccess, type AccessDeclaration } from '../../../shared/model/access.js';
import { instanceNameOf } from '../../../shared/model/k8s-object.js';
import { resync } from '../../../shared/reconcile/resync.js';
import type { SyncDeps } from '../../../shared/reconcile/sync-deps.js';
import { pubsubEvent } from '../../../dev/fixtures/audit-entries.js';
import { declarationEntry } from '../../../dev/fixtures/k8s-audit-entry.js';
import { syncOf, testSettings } from '../../../dev/fixtures/settings.js';
import { readyInstance } from '../../fixtures/instances.js';
import { MemoryCluster } from '../../fixtures/memory-cluster.js';

/**
 * A declaration written in a cluster reaches that cluster through the event path (GKE's k8s.io entry, the same sink
 * and topic), within one event: created, the instance's access is granted; deleted, it is revoked. Entries of a
 * cluster the deployment does not sync, or in open mode, are acknowledged with the reason.
 */
class DeclaringCluster extends MemoryCluster {
  declarations: AccessDeclaration[] = [];
  async listAccessDeclarations(): Promise<{ declarations: AccessDeclaration[]; malformed: string[] }> {
    return { declarations: this.declarations, malformed: [] };
  }
  /** What the rendering writes in declared mode: the access each ServiceEntry was rendered with. */
  stampAccess(): void {
    for (const [key, object] of this.objects) {
      if (object.kind !== 'ServiceEntry') continue;
      const name = instanceNameOf(object)!;
      const granted = this.declarations.filter((d) => d.instances.includes(name));
      const access = {
        namespaces: granted.map((d) => d.namespace),
        principals: [],
        declaredBy: granted.map((d) => `${d.namespace}/${d.name}`),
      };
      const annotations = { ...object.metadata.annotations, [ANNOTATION_ACCESS]: encodeAccess(access) };
      this.objects.set(key, { ...object, metadata: { ...object.metadata, annotations } });
    }
  }
}

const cache = readyInstance('cache');
const other = readyInstance('other');
const env = (mode: string) => ({
  ACCESS_MODE: mode,
  SYNC_CLUSTERS: JSON.stringify([
    { name: 'primary', kubeconfig: '/k/p', gke: 'projects/test-project/locations/us-central1/clusters/primary' },
  ]),
});
const now = new Date();

function rig(cluster: DeclaringCluster, mode = 'declared') {
  const config = testSettings(env(mode));
  const published: AuditRecord[] = [];
  let ids = 0;
  const getDeps = async (target: ClusterTarget): Promise<SyncDeps> => {
    const log = new Logger({}, () => undefined);
    return {
      settings: syncOf(config, target),
      clusterName: target.name,
      instances: {
        get: async () => undefined,
        list: async () => ({ instances: [cache, other], unreachable: [] }),
      },
      cluster,
      audit: new AuditWriter(log, { publish: async (r) => void published.push(r) }, true),
      log,
      clock: { now: () => now, monotonicMs: () => 0 },
      newId: () => `id-${ids++}`,
    };
  };
  return { config, getDeps, published };
}

const declaration: AccessDeclaration = {
  namespace: 'shop',
  name: 'cache',
  instances: [cache.name],
  selector: [],
  serviceAccounts: [],
};
const eventOf = (verb: 'create' | 'delete', cluster = 'primary') => ({
  ...pubsubEvent(declarationEntry({ namespace: 'shop', name: 'cache', verb, cluster, principal: 'alice@example.com' })),
  time: now.toISOString(),
});
const accessReasons = (records: readonly AuditRecord[]) =>
  records.filter((r) => r.reason?.startsWith('access:')).map((r) => [r.instance?.name, r.reason, r.trigger.principal]);

test('a declaration created, then deleted, grants and then revokes access within one event each', async () => {
  const cluster = new DeclaringCluster();
  // Declared mode from the start, nobody declared yet: every instance synced reachable by no one.
  cluster.declarations = [];
  const first = rig(cluster);
  await resync(
    await first.getDeps(first.config.clusters[0]),
    { kind: 'resync', principal: 'op', scheduled: false },
    {
      dryRun: false,
      force: true,
    },
  );
  cluster.stampAccess();

  cluster.declarations = [declaration];
  const created = rig(cluster);
  const outcome = await reconcileEvent(created.config, created.getDeps, eventOf('create'), now);
  expect(outcome).toMatchObject({ handled: true });
  expect(accessReasons(created.published)).toEqual([
    [cache.name, 'access: added namespaces shop (declared by shop/cache)', 'alice@example.com'],
  ]);
  cluster.stampAccess();

  cluster.declarations = [];
  const deleted = rig(cluster);
  await reconcileEvent(deleted.config, deleted.getDeps, eventOf('delete'), now);
  expect(accessReasons(deleted.published)).toEqual([
    [cache.name, 'access: removed namespaces shop (declared by no one)', 'alice@example.com'],
  ]);
});

test('an entry of a cluster the deployment does not sync, or in open mode, is acknowledged with the reason', async () => {
  const cluster = new DeclaringCluster();
  const declared = rig(cluster);
  expect(await reconcileEvent(declared.config, declared.getDeps, eventOf('create', 'elsewhere'), now)).toEqual({
    handled: false,
    reason:
      'MemorystoreAccess shop/cache is in cluster projects/test-project/locations/us-central1/clusters/elsewhere, which SYNC_CLUSTERS does not name',
  });
  const open = rig(cluster, 'open');
  expect(await reconcileEvent(open.config, open.getDeps, eventOf('create'), now)).toEqual({
    handled: false,
    reason: 'MemorystoreAccess shop/cache changed, but ACCESS_MODE is open',
  });
});

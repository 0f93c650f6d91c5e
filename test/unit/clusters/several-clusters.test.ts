import type { ClusterStore } from '../../../shared/adapters/cluster-store.js';
import type { AuditRecord } from '../../../shared/audit/audit-record.js';
import { AuditWriter } from '../../../shared/audit/audit-writer.js';
import { resyncClusters } from '../../../shared/clusters/resync-clusters.js';
import type { ClusterTarget } from '../../../shared/config/settings.js';
import { PermanentError, TransientError } from '../../../shared/errors.js';
import { Logger } from '../../../shared/log.js';
import { reconcileEvent } from '../../../shared/clusters/event-clusters.js';
import { InStepMarks } from '../../../shared/clusters/in-step-marks.js';
import type { SyncDeps } from '../../../shared/reconcile/sync-deps.js';
import { logEntry, pubsubEvent } from '../../../dev/fixtures/audit-entries.js';
import { readyInstance } from '../../fixtures/instances.js';
import { MemoryCluster } from '../../fixtures/memory-cluster.js';
import { syncOf, testSettings } from '../../../dev/fixtures/settings.js';

/**
 * One deployment, three clusters, on in-memory clusters: an event and a resync reach each of them, each record names
 * its cluster, and a cluster that is down or refuses never keeps the others from their change.
 */
const config = testSettings({
  SYNC_CLUSTERS: JSON.stringify([
    { name: 'eu', kubeconfig: '/k/eu' },
    { name: 'us', kubeconfig: '/k/us', mode: 'direct' },
    { name: 'asia', kubeconfig: '/k/asia', istioNamespace: 'mesh' },
  ]),
});
const now = new Date('2026-11-25T10:00:30Z');
const event = { ...pubsubEvent(logEntry({ method: 'CreateInstance' })), time: '2026-11-25T10:00:00Z' };

/** A cluster that is down: every call fails as the apiserver client fails after its tries. */
class DownCluster extends MemoryCluster {
  down = true;
  override async listIstio(namespace: string): ReturnType<ClusterStore['listIstio']> {
    if (this.down) throw new TransientError('list: connect ECONNREFUSED 127.0.0.1:6443 after 6 tries');
    return super.listIstio(namespace);
  }
}

function rig(stores: Record<string, MemoryCluster>): {
  getDeps: (t: ClusterTarget) => Promise<SyncDeps>;
  published: AuditRecord[];
  /** Reads of the instance through each cluster's deps. */
  gets: () => number;
} {
  const published: AuditRecord[] = [];
  let gets = 0;
  const instances = {
    get: async () => (gets++, readyInstance('cache-1')),
    list: async () => ({ instances: [readyInstance('cache-1')], unreachable: [] }),
  };
  let ids = 0;
  const getDeps = async (target: ClusterTarget): Promise<SyncDeps> => {
    const log = new Logger({ labels: { cluster: target.name } }, () => undefined);
    const audit = new AuditWriter(log, { publish: async (record) => void published.push(record) }, true);
    return {
      settings: syncOf(config, target),
      clusterName: target.name,
      instances,
      cluster: stores[target.name]!,
      audit,
      log,
      clock: { now: () => now, monotonicMs: () => 0 },
      newId: () => `id-${ids++}`,
    };
  };
  return { getDeps, published, gets: () => gets };
}

const kinds = (cluster: MemoryCluster): string[] =>
  [...cluster.objects.values()].map((o) => `${o.metadata.namespace}/${o.kind}`).sort();

describe('an event, with several clusters', () => {
  test('reconciles every cluster with its own mode and namespace; each record names its cluster', async () => {
    const stores = { eu: new MemoryCluster(), us: new MemoryCluster(), asia: new MemoryCluster() };
    const { getDeps, published } = rig(stores);
    const outcome = await reconcileEvent(config, getDeps, event, now);
    if (!outcome.handled) throw new Error(`not handled: ${outcome.reason}`);
    expect(kinds(stores.eu)).toEqual([
      'istio-system/DestinationRule',
      'istio-system/Gateway',
      'istio-system/ServiceEntry',
      'istio-system/VirtualService',
    ]);
    expect(kinds(stores.us)).toEqual(['istio-system/ServiceEntry']);
    expect(kinds(stores.asia)).toEqual([
      'mesh/DestinationRule',
      'mesh/Gateway',
      'mesh/ServiceEntry',
      'mesh/VirtualService',
    ]);
    expect(new Set(published.map((r) => r.cluster))).toEqual(new Set(['eu', 'us', 'asia']));
    expect(published.filter((r) => r.cluster === 'us').map((r) => r.object.kind)).toEqual(['ServiceEntry']);
    expect(outcome.report.clusters.map((c) => c.cluster)).toEqual(['eu', 'us', 'asia']);
    expect(outcome.report.summary['create']).toBe(published.filter((r) => r.action === 'create').length);
  });

  test('one read of the instance, started before the clusters, serves them all; each reads it again after its writes', async () => {
    const stores = { eu: new MemoryCluster(), us: new MemoryCluster(), asia: new MemoryCluster() };
    const { getDeps, gets } = rig(stores);
    const early: string[] = [];
    const readInstance = async (name: string) => (early.push(name), readyInstance('cache-1'));
    const outcome = await reconcileEvent(config, getDeps, event, { now, readInstance });
    expect(outcome.handled).toBe(true);
    expect(early).toEqual([readyInstance('cache-1').name]);
    // Only the reads after the writes (syncUntilSettled), one per cluster; without readInstance, twice that.
    expect(gets()).toBe(3);
    expect([stores.eu, stores.us, stores.asia].map((c) => c.objects.size)).toEqual([4, 1, 4]);
    const alone = rig({ eu: new MemoryCluster(), us: new MemoryCluster(), asia: new MemoryCluster() });
    await reconcileEvent(config, alone.getDeps, event, now);
    expect(alone.gets()).toBe(6);
  });

  test('a redelivery that finds every cluster in step reads nothing', async () => {
    const stores = { eu: new MemoryCluster(), us: new MemoryCluster(), asia: new MemoryCluster() };
    const { getDeps } = rig(stores);
    const marks = new InStepMarks();
    const early: string[] = [];
    const readInstance = async (name: string) => (early.push(name), readyInstance('cache-1'));
    await reconcileEvent(config, getDeps, event, { now, marks, readInstance });
    expect(early).toHaveLength(1);
    const again = await reconcileEvent(config, getDeps, event, { now, marks, readInstance });
    expect(again.handled).toBe(false);
    expect(early).toHaveLength(1);
  });

  test('a failed first read fails every cluster, which writes nothing, and the event is redelivered', async () => {
    const stores = { eu: new MemoryCluster(), us: new MemoryCluster(), asia: new MemoryCluster() };
    const { getDeps } = rig(stores);
    const readInstance = async (): Promise<never> => {
      throw new TransientError('get: Memorystore API HTTP 503');
    };
    await expect(reconcileEvent(config, getDeps, event, { now, readInstance })).rejects.toThrow(/HTTP 503/);
    expect([stores.eu, stores.us, stores.asia].map((c) => c.objects.size)).toEqual([0, 0, 0]);
  });

  test('a cluster that is down does not stop the others; the event is redelivered, and then only that cluster changes', async () => {
    const stores = { eu: new MemoryCluster(), us: new DownCluster(), asia: new MemoryCluster() };
    const { getDeps, published } = rig(stores);
    const failure = reconcileEvent(config, getDeps, event, now);
    await expect(failure).rejects.toThrow(TransientError);
    await expect(failure).rejects.toThrow(
      /cluster us: TransientError: list: connect ECONNREFUSED.*reconciled in eu, asia/,
    );
    expect(stores.eu.objects.size).toBe(4);
    expect(stores.asia.objects.size).toBe(4);
    expect(stores.us.objects.size).toBe(0);

    // Pub/Sub redelivers; the cluster is back. The others are already in step: they write and record nothing.
    stores.us.down = false;
    const before = published.length;
    const outcome = await reconcileEvent(config, getDeps, event, now);
    expect(outcome.handled).toBe(true);
    expect(stores.us.objects.size).toBe(1);
    expect(published.slice(before).map((r) => r.cluster)).toEqual(['us']);
  });

  test('a redelivery skips the clusters the first delivery brought in step, and says so; a later event does not', async () => {
    const stores = { eu: new MemoryCluster(), us: new DownCluster(), asia: new MemoryCluster() };
    const { getDeps } = rig(stores);
    const marks = new InStepMarks();
    await expect(reconcileEvent(config, getDeps, event, { now, marks })).rejects.toThrow(/reconciled in eu, asia/);

    const reads: string[] = [];
    const counting = async (target: ClusterTarget): Promise<SyncDeps> => {
      reads.push(target.name);
      return getDeps(target);
    };
    stores.us.down = false;
    const outcome = await reconcileEvent(config, counting, event, { now, marks });
    if (!outcome.handled) throw new Error(`not handled: ${outcome.reason}`);
    expect(reads).toEqual(['us']);
    expect(stores.us.objects.size).toBe(1);
    expect(outcome.report.clusters).toEqual([
      { cluster: 'us', summary: expect.objectContaining({ create: 1 }) },
      { cluster: 'eu', summary: {}, skipped: `brought in step by an earlier delivery of event ${event.id}` },
      { cluster: 'asia', summary: {}, skipped: `brought in step by an earlier delivery of event ${event.id}` },
    ]);

    // Every cluster is in step for this event now: a further delivery touches none.
    reads.length = 0;
    const again = await reconcileEvent(config, counting, event, { now, marks });
    expect(again).toEqual({
      handled: false,
      reason: `every cluster was brought in step by an earlier delivery of event ${event.id}`,
    });
    expect(reads).toEqual([]);

    // Another event of the same instance (the instance changed again) is reconciled everywhere.
    reads.length = 0;
    await reconcileEvent(config, counting, { ...event, id: `${event.id}-later` }, { now, marks });
    expect(reads.sort()).toEqual(['asia', 'eu', 'us']);
  });

  test('a cluster that refuses for good is recorded and acknowledged; the others are reconciled', async () => {
    const refusing = new MemoryCluster();
    refusing.create = async () =>
      Promise.reject(new PermanentError('create: Kubernetes API answered HTTP 403 Forbidden'));
    const stores = { eu: new MemoryCluster(), us: refusing, asia: new MemoryCluster() };
    const { getDeps, published } = rig(stores);
    const outcome = await reconcileEvent(config, getDeps, event, now);
    expect(outcome).toMatchObject({
      handled: false,
      failed: true,
      reason: expect.stringMatching(/^cluster us: PermanentError: create: .*403/),
    });
    if (!('failed' in outcome)) throw new Error('expected a failure');
    expect(outcome.report.clusters).toEqual([
      { cluster: 'eu', summary: expect.objectContaining({ create: 4 }) },
      { cluster: 'us', summary: {}, failed: { error: expect.stringContaining('403'), retryable: false } },
      { cluster: 'asia', summary: expect.objectContaining({ create: 4 }) },
    ]);
    expect(published.filter((r) => r.outcome === 'failed').map((r) => r.cluster)).toEqual(['us']);
    expect(stores.asia.objects.size).toBe(4);
  });

  test('with one cluster, its own error is thrown as it was', async () => {
    const single = testSettings();
    const down = new DownCluster();
    const getDeps = async (target: ClusterTarget): Promise<SyncDeps> =>
      await rig({ [target.name]: down }).getDeps(target);
    await expect(reconcileEvent(single, getDeps, event, now)).rejects.toThrow(/^list: connect ECONNREFUSED/);
  });
});

describe('a resync, with several clusters', () => {
  const trigger = { kind: 'resync', principal: 'operator@example.com', scheduled: false } as const;

  test('runs cluster by cluster; one down is reported as retryable beside what the others did', async () => {
    const stores = { eu: new MemoryCluster(), us: new DownCluster(), asia: new MemoryCluster() };
    const { getDeps } = rig(stores);
    let running = 0;
    let most = 0;
    const counted = async (target: ClusterTarget): Promise<SyncDeps> => {
      most = Math.max(most, ++running);
      const deps = await getDeps(target);
      const done = (): void => void running--;
      return {
        ...deps,
        instances: { ...deps.instances, list: async (...args) => deps.instances.list(...args).finally(done) },
      };
    };
    const result = await resyncClusters(config.clusters, counted, trigger, { dryRun: false, force: false });
    expect(most).toBe(1);
    expect(result.failed).toEqual({
      message: expect.stringMatching(/^cluster us: TransientError: list: connect ECONNREFUSED/),
      retryable: true,
    });
    expect(result.report.clusters.map((c) => [c.cluster, c.failed ? 'failed' : 'synced'])).toEqual([
      ['eu', 'synced'],
      ['us', 'failed'],
      ['asia', 'synced'],
    ]);
    expect(result.changes.map((c) => c.cluster)).toEqual(['eu', 'asia']);
    expect(stores.eu.objects.size).toBe(4);
    expect(stores.asia.objects.size).toBe(4);
    expect(result.report.records.every((r) => r.cluster === 'eu' || r.cluster === 'asia')).toBe(true);
  });

  test('lists Memorystore once per location for the whole resync, not once per cluster', async () => {
    const twoRegions = testSettings({
      SYNC_CLUSTERS: JSON.stringify(config.clusters.map((c) => ({ name: c.name, kubeconfig: `/k/${c.name}` }))),
      MEMORYSTORE_LOCATIONS: 'us-central1,europe-west1',
    });
    const stores = { eu: new MemoryCluster(), us: new MemoryCluster(), asia: new MemoryCluster() };
    const { getDeps } = rig(stores);
    const listed: string[] = [];
    const counting = async (target: ClusterTarget): Promise<SyncDeps> => {
      const deps = await getDeps(target);
      return {
        ...deps,
        settings: syncOf(twoRegions, target),
        instances: {
          ...deps.instances,
          list: async (project, location) => (listed.push(location), deps.instances.list(project, location)),
        },
      };
    };
    const options = { dryRun: false, force: false };
    // The first resync writes, and each cluster that wrote lists again to catch instances that moved meanwhile.
    await resyncClusters(twoRegions.clusters, counting, trigger, options);
    listed.length = 0;
    const inStep = await resyncClusters(twoRegions.clusters, counting, trigger, options);
    expect(inStep.failed).toBeUndefined();
    expect(inStep.report.clusters.map((c) => c.summary)).toEqual([
      { unchanged: 5 },
      { unchanged: 5 },
      { unchanged: 5 },
    ]);
    expect(listed.sort()).toEqual(['europe-west1', 'us-central1']);
  });

  test('a dry run plans every cluster and writes none', async () => {
    const stores = { eu: new MemoryCluster(), us: new MemoryCluster(), asia: new MemoryCluster() };
    const result = await resyncClusters(config.clusters, rig(stores).getDeps, trigger, { dryRun: true, force: false });
    expect(result.failed).toBeUndefined();
    expect(result.report.dry_run).toBe(true);
    // 4 + 1 + 4 objects, and a port on the egress gateway Service of each gateway-mode cluster.
    expect(result.report.summary).toEqual({ create: 9, update: 2 });
    expect([...Object.values(stores)].every((s) => s.objects.size === 0)).toBe(true);
  });
});

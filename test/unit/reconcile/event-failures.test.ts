import type { ClusterStore } from '../../../shared/adapters/cluster-store.js';
import type { InstanceSource } from '../../../shared/products/instance-source.js';
import type { AuditRecord } from '../../../shared/audit/audit-record.js';
import { AuditWriter } from '../../../shared/audit/audit-writer.js';
import { PermanentError, TransientError } from '../../../shared/errors.js';
import { Logger } from '../../../shared/log.js';
import { reconcileEvent } from '../../../shared/clusters/event-clusters.js';
import type { SyncDeps } from '../../../shared/reconcile/sync-deps.js';
import { INSTANCE, logEntry, pubsubEvent } from '../../../dev/fixtures/audit-entries.js';
import { readyInstance } from '../../fixtures/instances.js';
import { syncOf, testSettings } from '../../../dev/fixtures/settings.js';
import { MemoryCluster } from '../../fixtures/memory-cluster.js';

/**
 * How an event meets a failure: a transient one throws (Pub/Sub redelivers), a permanent one is acknowledged with a
 * `failed` audit record, since every redelivery would fail alike until the dead-letter limit.
 */
const config = testSettings();
const now = new Date('2026-11-25T10:00:30Z');

function depsWith(parts: { instances?: Partial<InstanceSource>; cluster?: Partial<ClusterStore> }): {
  deps: SyncDeps;
  published: AuditRecord[];
} {
  const published: AuditRecord[] = [];
  const log = new Logger({}, () => undefined);
  const emptyService = { namespace: 'istio-system', name: 'istio-egressgateway', ports: [], ownedPorts: [] };
  const cluster =
    parts.cluster instanceof MemoryCluster
      ? parts.cluster
      : ({
          listIstio: async () => [],
          get: async () => undefined,
          readGatewayService: async () => emptyService,
          // The range's later blocks (GATEWAY_PORTS_PER_SERVICE): none created yet.
          listPortServices: async () => [],
          readPortService: async () => undefined,
          ...parts.cluster,
        } as ClusterStore);
  const instances = {
    get: async () => readyInstance('cache-1'),
    list: async () => ({ instances: [], unreachable: [] }),
    ...parts.instances,
  };
  const audit = new AuditWriter(log, { publish: async (record) => void published.push(record) }, true);
  const deps: SyncDeps = {
    settings: syncOf(config),
    instances,
    cluster,
    audit,
    log,
    clock: { now: () => now, monotonicMs: () => 0 },
    newId: () => 'id-1',
  };
  return { deps, published };
}

const event = { ...pubsubEvent(logEntry()), time: '2026-11-25T10:00:00Z' };

describe('an event that fails', () => {
  test('permanently before any write (PERMISSION_DENIED from Memorystore) is acknowledged with a failed record', async () => {
    const { deps, published } = depsWith({
      instances: {
        get: async () => Promise.reject(new PermanentError('get: Memorystore API code 7: permission denied')),
      },
    });
    const outcome = await reconcileEvent(config, async () => deps, event, now);
    expect(outcome).toMatchObject({ handled: false, failed: true, reason: expect.stringContaining('code 7') });
    expect(published).toEqual([
      expect.objectContaining({
        outcome: 'failed',
        instance: { name: INSTANCE },
        error: expect.stringContaining('permission denied'),
      }),
    ]);
  });

  test('permanently at a write (HTTP 403 from the apiserver) is acknowledged; the failed write is recorded once', async () => {
    const refused = async (): Promise<never> =>
      Promise.reject(new PermanentError('create: Kubernetes API answered HTTP 403 Forbidden'));
    const { deps, published } = depsWith({ cluster: { create: refused, applyServicePorts: refused } });
    const outcome = await reconcileEvent(config, async () => deps, event, now);
    expect(outcome).toMatchObject({ handled: false, failed: true });
    expect(published.filter((r) => r.outcome === 'failed' && r.error?.includes('403'))).toHaveLength(1);
    expect(published.every((r) => r.object.kind !== 'Instance')).toBe(true);
  });

  test('transiently (the apiserver unavailable) throws, so Pub/Sub redelivers', async () => {
    const { deps } = depsWith({
      cluster: { listIstio: async () => Promise.reject(new TransientError('list: HTTP 503 after 6 tries')) },
    });
    await expect(reconcileEvent(config, async () => deps, event, now)).rejects.toThrow(TransientError);
  });

  test('with an error nobody foresaw is retried, not dropped: the dead-letter topic keeps what never succeeds', async () => {
    const { deps } = depsWith({ instances: { get: async () => Promise.reject(new TypeError('boom')) } });
    await expect(reconcileEvent(config, async () => deps, event, now)).rejects.toThrow('boom');
  });
});

describe('an instance that changes while its event is reconciled', () => {
  test('a reconcile that planned from a state already gone reads again and reconciles to the latest', async () => {
    const cluster = new MemoryCluster();
    // The first read sees the instance; by the time the writes are done it has been deleted.
    const answers = [readyInstance('cache-1'), undefined];
    const { deps } = depsWith({ cluster, instances: { get: async () => answers.shift() } });
    const outcome = await reconcileEvent(config, async () => deps, event, now);
    if (!outcome.handled) throw new Error(`not handled: ${outcome.reason}`);
    expect(cluster.objects.size).toBe(0);
    const actions = outcome.report.records.filter((r) => r.outcome === 'applied').map((r) => r.action);
    expect(actions).toContain('create');
    expect(actions).toContain('delete');
  });

  test('a reconcile whose instance did not change reads it once more and stops', async () => {
    const cluster = new MemoryCluster();
    let reads = 0;
    const { deps } = depsWith({ cluster, instances: { get: async () => (reads++, readyInstance('cache-1')) } });
    await reconcileEvent(config, async () => deps, event, now);
    expect(reads).toBe(2);
    expect(cluster.objects.size).toBe(4);
  });
});

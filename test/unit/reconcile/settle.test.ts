import type { InstanceSource } from '../../../shared/products/instance-source.js';
import { AuditWriter } from '../../../shared/audit/audit-writer.js';
import { TransientError, WriteConflictError } from '../../../shared/errors.js';
import { Logger } from '../../../shared/log.js';
import type { KubeObject } from '../../../shared/model/k8s-object.js';
import type { MemorystoreInstance } from '../../../shared/model/instance.js';
import { reconcileEvent } from '../../../shared/clusters/event-clusters.js';
import { resync } from '../../../shared/reconcile/resync.js';
import type { SyncDeps } from '../../../shared/reconcile/sync-deps.js';
import { logEntry, pubsubEvent } from '../../../dev/fixtures/audit-entries.js';
import { readyInstance } from '../../fixtures/instances.js';
import { MemoryCluster } from '../../fixtures/memory-cluster.js';
import { syncOf, testSettings } from '../../../dev/fixtures/settings.js';

/**
 * Whoever writes an instance's objects reads the instance again afterwards, so a writer that planned from a state
 * already overtaken (by a later event that finished first) does not have the last word.
 */
const config = testSettings();
const now = new Date('2026-11-25T10:00:30Z');
const event = { ...pubsubEvent(logEntry()), time: '2026-11-25T10:00:00Z' };
const withReplicas = (id: string): MemorystoreInstance =>
  readyInstance(id, { readEndpoint: '10.0.0.4', readEndpointPort: 6379 });

function depsWith(cluster: MemoryCluster, instances: Partial<InstanceSource>): SyncDeps {
  const log = new Logger({}, () => undefined);
  const source = { get: async () => undefined, list: async () => ({ instances: [], unreachable: [] }), ...instances };
  return {
    settings: syncOf(config),
    instances: source,
    cluster,
    audit: new AuditWriter(log),
    log,
    clock: { now: () => now, monotonicMs: () => 0 },
    newId: () => 'id-1',
  };
}

const readObjects = (cluster: MemoryCluster): string[] =>
  [...cluster.objects.values()].map((o) => o.metadata.name).filter((n) => n.includes('read'));

describe('a resync', () => {
  test('that listed an instance before it gained a read endpoint lists again after writing and adds the read endpoint', async () => {
    const cluster = new MemoryCluster();
    const listings = [[readyInstance('cache-1')], [withReplicas('cache-1')]];
    let lists = 0;
    const deps = depsWith(cluster, {
      list: async () => ({ instances: listings[Math.min(lists++, 1)]!, unreachable: [] }),
    });
    const { report } = await resync(
      deps,
      { kind: 'resync', principal: 'operator@example.com', scheduled: false },
      { dryRun: false, force: false },
    );
    // Listed at the start, after the first writes (changed: synced again), after those (settled).
    expect(lists).toBe(3);
    expect(readObjects(cluster).length).toBeGreaterThan(0);
    expect(report.errors).toEqual([]);
  });

  test('that must reconcile many moved instances again reads the whole namespace, never a selector that grows with N', async () => {
    const selectors: Array<string | undefined> = [];
    class SelectorSpy extends MemoryCluster {
      override async listIstio(namespace: string, labelSelector?: string) {
        selectors.push(labelSelector);
        return super.listIstio(namespace);
      }
    }
    const cluster = new SelectorSpy();
    const ids = Array.from({ length: 60 }, (_, i) => `cache-${i}`);
    let lists = 0;
    // The second listing finds every instance re-addressed: all 60 are reconciled again.
    const deps = depsWith(cluster, {
      list: async () => ({
        instances: ids.map((id) => readyInstance(id, { host: lists > 0 ? '10.9.0.1' : '10.0.0.3' })),
        unreachable: [],
      }),
    });
    const counting = {
      ...deps,
      instances: {
        ...deps.instances,
        list: async (p: string, l: string) => deps.instances.list(p, l).finally(() => lists++),
      },
    };
    await resync(
      counting,
      { kind: 'resync', principal: 'operator@example.com', scheduled: false },
      { dryRun: false, force: false },
    );
    expect(lists).toBeGreaterThanOrEqual(2);
    expect(selectors.length).toBeGreaterThanOrEqual(2);
    expect(selectors.every((s) => s === undefined)).toBe(true);
    expect(
      [...cluster.objects.values()]
        .filter((o) => o.kind === 'ServiceEntry')
        .every((o) => JSON.stringify(o.spec).includes('10.9.0.1')),
    ).toBe(true);
  });

  test('that wrote nothing does not list again', async () => {
    const cluster = new MemoryCluster();
    let lists = 0;
    const deps = depsWith(cluster, { list: async () => (lists++, { instances: [], unreachable: [] }) });
    await resync(
      deps,
      { kind: 'resync', principal: 'operator@example.com', scheduled: false },
      { dryRun: false, force: false },
    );
    expect(lists).toBe(1);
  });

  test('outlasts a storm of events moving the gateway Service on: nine conflicts in a row, then its write lands', async () => {
    // An event gives up after 8 tries and is redelivered; a resync has no redelivery, and used to answer 503 here.
    class MovedOnNineTimes extends MemoryCluster {
      conflicts = 0;
      applied = 0;
      override async applyServicePorts(body: KubeObject): Promise<string | undefined> {
        if (this.conflicts < 9) {
          this.conflicts++;
          throw new WriteConflictError('apply Service: the object changed or exists (HTTP 409 Conflict)');
        }
        this.applied++;
        return super.applyServicePorts(body);
      }
    }
    const cluster = new MovedOnNineTimes();
    const deps = depsWith(cluster, { list: async () => ({ instances: [readyInstance('cache-1')], unreachable: [] }) });
    const { report } = await resync(
      deps,
      { kind: 'resync', principal: 'operator@example.com', scheduled: false },
      { dryRun: false, force: false },
    );
    expect([cluster.conflicts, cluster.applied]).toEqual([9, 1]);
    expect(report.errors).toEqual([]);
    expect([...cluster.objects.values()].map((o) => o.kind).sort()).toEqual([
      'DestinationRule',
      'Gateway',
      'ServiceEntry',
      'VirtualService',
    ]);
  }, 60_000);

  test('in a dry run never lists again, even when the instances changed', async () => {
    const cluster = new MemoryCluster();
    let lists = 0;
    const deps = depsWith(cluster, {
      list: async () => (lists++, { instances: [readyInstance('cache-1')], unreachable: [] }),
    });
    await resync(
      deps,
      { kind: 'resync', principal: 'operator@example.com', scheduled: false },
      { dryRun: true, force: false },
    );
    expect(lists).toBe(1);
    expect(cluster.objects.size).toBe(0);
  });
});

/** Creating the VirtualService succeeds, but the first time the answer is a conflict (another writer wrote it too). */
class ConflictOnceCluster extends MemoryCluster {
  private conflicted = false;
  override async create(object: KubeObject): Promise<KubeObject> {
    await super.create(object);
    if (object.kind === 'VirtualService' && !this.conflicted) {
      this.conflicted = true;
      throw new WriteConflictError('create: the object changed or exists (HTTP 409 AlreadyExists)');
    }
    return object;
  }
}

test('an event whose writes ended in a conflict, and whose retry found nothing left to write, still reads the instance again', async () => {
  const cluster = new ConflictOnceCluster();
  // Read at the start, the instance exists; by the time the writes are done it has been deleted.
  const answers: Array<MemorystoreInstance | undefined> = [readyInstance('cache-1'), undefined];
  const deps = depsWith(cluster, { get: async () => answers.shift() });
  const outcome = await reconcileEvent(config, async () => deps, event, now);
  if (!outcome.handled) throw new Error(`not handled: ${outcome.reason}`);
  expect(answers).toEqual([]);
  expect(cluster.objects.size).toBe(0);
});

test('an event whose instance keeps changing through every round is not acknowledged: the redelivery reads it afresh', async () => {
  const cluster = new MemoryCluster();
  let reads = 0;
  // Each read finds another address: every round writes, and the instance has moved on again by the next read.
  const deps = depsWith(cluster, { get: async () => readyInstance('cache-1', { host: `10.0.0.${++reads}` }) });
  await expect(reconcileEvent(config, async () => deps, event, now)).rejects.toThrow(TransientError);
  expect(reads).toBe(4);
});

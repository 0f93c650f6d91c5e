import { AuditWriter } from '../../../shared/audit/audit-writer.js';
import { ConfigError } from '../../../shared/errors.js';
import { Logger } from '../../../shared/log.js';
import type { KubeObject } from '../../../shared/model/k8s-object.js';
import { syncInstances } from '../../../shared/reconcile/sync.js';
import type { SyncDeps } from '../../../shared/reconcile/sync-deps.js';
import { nameOf, readyInstance } from '../../fixtures/instances.js';
import { MemoryCluster } from '../../fixtures/memory-cluster.js';
import { testSettings, testSync } from '../../../dev/fixtures/settings.js';

/**
 * How many writes one step of a plan keeps in flight: KUBE_WRITES_IN_FLIGHT, 64 by default (the reason is at the
 * setting, shared/config/parse-config.ts).
 */
const trigger = { kind: 'resync', principal: 'operator@example.com', scheduled: false } as const;

/** Counts the creates in flight at once; each waits a turn of the event loop, as a request to an apiserver would. */
class SlowCluster extends MemoryCluster {
  running = 0;
  most = 0;
  override async create(object: KubeObject): Promise<KubeObject> {
    this.most = Math.max(this.most, ++this.running);
    await new Promise((resolve) => setTimeout(resolve, 2));
    this.running--;
    return super.create(object);
  }
}

async function mostInFlight(env: Record<string, string>): Promise<number> {
  const cluster = new SlowCluster();
  const log = new Logger({}, () => undefined);
  let id = 0;
  const deps: SyncDeps = {
    settings: testSync({ SYNC_MODE: 'direct', ...env }),
    cluster,
    log,
    audit: new AuditWriter(log, { publish: async () => undefined }),
    instances: { get: async () => undefined, list: async () => ({ instances: [], unreachable: [] }) },
    clock: { now: () => new Date('2026-11-25T10:00:00Z'), monotonicMs: () => 0 },
    newId: () => `id-${++id}`,
  };
  // Direct mode: one ServiceEntry per instance, all in one step of the plan.
  const scope = Array.from({ length: 200 }, (_, i) => ({
    name: nameOf(`cache-${i}`),
    instance: readyInstance(`cache-${i}`),
  }));
  await syncInstances(deps, scope, trigger, { dryRun: false });
  expect(cluster.objects.size).toBe(200);
  return cluster.most;
}

describe('writes in flight', () => {
  test('64 by default', async () => {
    expect(await mostInFlight({})).toBe(64);
  });

  test('as KUBE_WRITES_IN_FLIGHT says', async () => {
    expect(await mostInFlight({ KUBE_WRITES_IN_FLIGHT: '8' })).toBe(8);
  });

  test.each(['0', '-1', '2.5', 'many', '257'])('KUBE_WRITES_IN_FLIGHT=%s is refused, naming the variable', (value) => {
    expect(() => testSettings({ KUBE_WRITES_IN_FLIGHT: value })).toThrow(ConfigError);
    expect(() => testSettings({ KUBE_WRITES_IN_FLIGHT: value })).toThrow(/KUBE_WRITES_IN_FLIGHT/);
  });
});

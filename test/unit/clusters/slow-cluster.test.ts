import type { ClusterStore } from '../../../shared/adapters/cluster-store.js';
import type { AuditRecord } from '../../../shared/audit/audit-record.js';
import { AuditWriter } from '../../../shared/audit/audit-writer.js';
import { FIRST_EVENT_ID, FIRST_EVENT_TIME, RETRY_CLUSTERS } from '../../../shared/clusters/cluster-retry.js';
import { reconcileEvent } from '../../../shared/clusters/event-clusters.js';
import type { ClusterTarget } from '../../../shared/config/settings.js';
import { TransientError } from '../../../shared/errors.js';
import { Logger } from '../../../shared/log.js';
import type { SyncDeps } from '../../../shared/reconcile/sync-deps.js';
import { logEntry, pubsubEvent } from '../../../dev/fixtures/audit-entries.js';
import { readyInstance } from '../../fixtures/instances.js';
import { MemoryCluster } from '../../fixtures/memory-cluster.js';
import { syncOf, testSettings } from '../../../dev/fixtures/settings.js';

/**
 * A cluster that accepts connections and never answers: its share of an event is bounded by CLUSTER_DEADLINE_SECONDS,
 * the other clusters' changes are acknowledged, and the event is published again for the slow cluster alone, under
 * its first id and time.
 */
const clusters = [
  { name: 'eu', kubeconfig: '/k/eu' },
  { name: 'us', kubeconfig: '/k/us', mode: 'direct' },
  { name: 'asia', kubeconfig: '/k/asia' },
];
const config = testSettings({
  SYNC_CLUSTERS: JSON.stringify(clusters),
  CLUSTER_DEADLINE_SECONDS: '1',
  EVENT_TOPIC: 'projects/test-project/topics/events',
});
const now = new Date('2026-11-25T10:00:30Z');
const entry = logEntry({ method: 'CreateInstance' });
const event = pubsubEvent(entry, { id: 'first-delivery', time: '2026-11-25T10:00:00Z' });

/** Never answers while `stuck`: nothing it does listens to a signal, so only the deadline's race ends the wait. */
class StuckCluster extends MemoryCluster {
  stuck = true;
  override async listIstio(namespace: string): ReturnType<ClusterStore['listIstio']> {
    if (this.stuck) return new Promise(() => undefined);
    return super.listIstio(namespace);
  }
}

function rig(stores: Record<string, MemoryCluster>): {
  getDeps: (t: ClusterTarget) => Promise<SyncDeps>;
  published: AuditRecord[];
} {
  const published: AuditRecord[] = [];
  const instances = {
    get: async () => readyInstance('cache-1'),
    list: async () => ({ instances: [readyInstance('cache-1')], unreachable: [] }),
  };
  let ids = 0;
  const getDeps = async (target: ClusterTarget): Promise<SyncDeps> => {
    const log = new Logger({ labels: { cluster: target.name } }, () => undefined);
    return {
      settings: syncOf(config, target),
      clusterName: target.name,
      instances,
      cluster: stores[target.name]!,
      audit: new AuditWriter(log, { publish: async (record) => void published.push(record) }, true),
      log,
      clock: { now: () => now, monotonicMs: () => 0 },
      newId: () => `id-${ids++}`,
    };
  };
  return { getDeps, published };
}

/** The event as Pub/Sub delivers the message published again: new id and time, the attributes it was given. */
function delivered(message: { data: Buffer; attributes: Readonly<Record<string, string>> }, id: string, time: string) {
  return {
    id,
    type: 'google.cloud.pubsub.topic.v1.messagePublished',
    time,
    data: { message: { data: message.data.toString('base64'), attributes: message.attributes, messageId: id } },
  };
}

test('a stuck cluster takes its deadline, not longer; the others are done and it alone is to be retried', async () => {
  const stores = { eu: new MemoryCluster(), us: new StuckCluster(), asia: new MemoryCluster() };
  const { getDeps, published } = rig(stores);
  const started = performance.now();
  const outcome = await reconcileEvent(config, getDeps, event, now);
  const took = performance.now() - started;
  expect(took).toBeGreaterThanOrEqual(900);
  expect(took).toBeLessThan(2_000);
  if (!outcome.handled) throw new Error(`not handled: ${JSON.stringify(outcome)}`);
  expect(outcome.report.clusters.map((c) => c.cluster)).toEqual(['eu', 'asia']);
  expect(stores.eu.objects.size).toBe(4);
  expect(stores.asia.objects.size).toBe(4);
  expect(new Set(published.map((r) => r.cluster))).toEqual(new Set(['eu', 'asia']));
  expect(outcome.retry).toMatchObject({
    clusters: ['us'],
    reason: expect.stringMatching(/^cluster us: .*did not finish within 1 s \(CLUSTER_DEADLINE_SECONDS\)/),
  });
  // The LogEntry as the sink published it, its own attributes kept, and the first delivery's id and time.
  expect(JSON.parse(outcome.retry!.message.data.toString('utf8'))).toEqual(entry);
  expect(outcome.retry!.message.attributes).toEqual({
    'logging.googleapis.com/timestamp': '2026-11-25T10:00:00Z',
    [RETRY_CLUSTERS]: 'us',
    [FIRST_EVENT_ID]: 'first-delivery',
    [FIRST_EVENT_TIME]: '2026-11-25T10:00:00Z',
  });
});

test('the message published again reaches the slow cluster alone, recorded under the first event', async () => {
  const us = new StuckCluster();
  const stores = { eu: new MemoryCluster(), us, asia: new MemoryCluster() };
  const { getDeps, published } = rig(stores);
  const first = await reconcileEvent(config, getDeps, event, now);
  if (!first.handled || !first.retry) throw new Error('expected a retry');
  us.stuck = false;
  const before = published.length;
  const retry = delivered(first.retry.message, 'second-delivery', '2026-11-25T10:00:25Z');
  const outcome = await reconcileEvent(config, getDeps, retry, now);
  expect(outcome).toMatchObject({ handled: true });
  expect('retry' in outcome && outcome.retry).toBeFalsy();
  expect(us.objects.size).toBe(1);
  const records = published.slice(before);
  expect(records.map((r) => `${r.cluster} ${r.action} ${r.object.kind}`)).toEqual(['us create ServiceEntry']);
  expect(records[0]!.trigger).toMatchObject({
    kind: 'event',
    event_id: 'first-delivery',
    method_name: 'google.cloud.redis.v1.CloudRedis.CreateInstance',
  });
});

test('a retry that gets nowhere is thrown for Pub/Sub to redeliver with backoff, never published again', async () => {
  const stores = { eu: new MemoryCluster(), us: new StuckCluster(), asia: new MemoryCluster() };
  const { getDeps } = rig(stores);
  const first = await reconcileEvent(config, getDeps, event, now);
  if (!first.handled || !first.retry) throw new Error('expected a retry');
  const retry = delivered(first.retry.message, 'second-delivery', '2026-11-25T10:00:25Z');
  await expect(reconcileEvent(config, getDeps, retry, now)).rejects.toThrow(
    /^cluster us: .*did not finish within 1 s.*; retrying$/,
  );
});

test("a retry's age counts from the first delivery: past EVENT_MAX_AGE_SECONDS it is acknowledged, not applied", async () => {
  const us = new MemoryCluster();
  const { getDeps } = rig({ eu: new MemoryCluster(), us, asia: new MemoryCluster() });
  const first = await reconcileEvent(config, getDeps, event, now);
  expect(first.handled).toBe(true);
  const message = {
    data: Buffer.from(JSON.stringify(entry)),
    attributes: {
      [RETRY_CLUSTERS]: 'us',
      [FIRST_EVENT_ID]: 'first-delivery',
      [FIRST_EVENT_TIME]: '2026-11-25T08:00:00Z',
    },
  };
  const outcome = await reconcileEvent(config, getDeps, delivered(message, 'late', '2026-11-25T10:00:20Z'), now);
  expect(outcome).toEqual({
    handled: false,
    reason: expect.stringMatching(/^event of 2026-11-25T08:00:00Z is older than EVENT_MAX_AGE_SECONDS/),
  });
});

test('without EVENT_TOPIC the whole event is redelivered, as before; with one cluster its error is thrown', async () => {
  const withoutTopic = testSettings({ SYNC_CLUSTERS: JSON.stringify(clusters), CLUSTER_DEADLINE_SECONDS: '1' });
  const { getDeps } = rig({ eu: new MemoryCluster(), us: new StuckCluster(), asia: new MemoryCluster() });
  await expect(reconcileEvent(withoutTopic, getDeps, event, now)).rejects.toThrow(
    /^cluster us: .*did not finish within 1 s.*; retrying \(reconciled in eu, asia\)$/,
  );
  const single = testSettings({ CLUSTER_DEADLINE_SECONDS: '1', EVENT_TOPIC: 'projects/test-project/topics/events' });
  const stuck = new StuckCluster();
  const one = async (target: ClusterTarget): Promise<SyncDeps> => ({
    ...(await rig({ [target.name]: stuck }).getDeps(target)),
    settings: syncOf(single, target),
  });
  const failure = reconcileEvent(single, one, event, now);
  await expect(failure).rejects.toThrow(TransientError);
  await expect(failure).rejects.toThrow(/^cluster default did not finish within 1 s/);
});

import type { CloudEvent } from '@google-cloud/functions-framework';
import type { ClusterStore } from '../../../shared/adapters/cluster-store.js';
import type { TopicMessage } from '../../../shared/adapters/pubsub-event-republisher.js';
import { RETRY_CLUSTERS } from '../../../shared/clusters/cluster-retry.js';
import { Logger } from '../../../shared/log.js';
import { handleAuditEvent } from '../../../shared/runtime/handle-audit-event.js';
import { createRuntime } from '../../../shared/runtime/runtime.js';
import { logEntry, pubsubEvent } from '../../../dev/fixtures/audit-entries.js';
import { readyInstance } from '../../fixtures/instances.js';
import { MemoryCluster } from '../../fixtures/memory-cluster.js';
import { testSettings } from '../../../dev/fixtures/settings.js';

/**
 * The event function with two clusters, one stuck: the stuck cluster's part is published to EVENT_TOPIC before the
 * event is acknowledged, and if that publish fails the event is thrown, so Pub/Sub redelivers it whole.
 */
const config = testSettings({
  SYNC_CLUSTERS: JSON.stringify([
    { name: 'eu', kubeconfig: '/k/eu' },
    { name: 'us', kubeconfig: '/k/us' },
  ]),
  CLUSTER_DEADLINE_SECONDS: '1',
  EVENT_TOPIC: 'projects/test-project/topics/events',
});

class StuckCluster extends MemoryCluster {
  override async listIstio(): ReturnType<ClusterStore['listIstio']> {
    return new Promise(() => undefined);
  }
}

function runtimeWith(publish: (message: TopicMessage) => Promise<string>): {
  runtime: ReturnType<typeof createRuntime>;
  lines: Array<Record<string, unknown>>;
  eu: MemoryCluster;
} {
  const lines: Array<Record<string, unknown>> = [];
  const eu = new MemoryCluster();
  const stores: Record<string, MemoryCluster> = { eu, us: new StuckCluster() };
  const runtime = createRuntime(config, {
    instances: {
      get: async () => readyInstance('cache-1'),
      list: async () => ({ instances: [readyInstance('cache-1')], unreachable: [] }),
    },
    cluster: async (target) => stores[target.name]!,
    publisher: { publish: async () => undefined },
    republisher: { publish },
    log: new Logger({}, (line) => void lines.push(JSON.parse(line) as Record<string, unknown>)),
  });
  return { runtime, lines, eu };
}

const event = {
  ...pubsubEvent(logEntry({ method: 'CreateInstance' }), { id: 'm-1' }),
  specversion: '1.0',
  source: '//pubsub.googleapis.com/projects/test-project/topics/events',
  time: new Date().toISOString(),
} as CloudEvent<unknown>;

test("the stuck cluster's part is published before the event is acknowledged", async () => {
  const published: TopicMessage[] = [];
  const { runtime, lines, eu } = runtimeWith(async (message) => {
    published.push(message);
    return 'm-2';
  });
  await handleAuditEvent(runtime, event);
  expect(eu.objects.size).toBe(4);
  expect(published.map((m) => m.attributes[RETRY_CLUSTERS])).toEqual(['us']);
  expect(lines.find((l) => String(l['message']).startsWith('event published again'))).toMatchObject({
    event_id: 'm-1',
    clusters: ['us'],
    retry_message_id: 'm-2',
  });
});

test('a publish that fails makes the event fail, so the whole event is redelivered and nothing is lost', async () => {
  const { runtime, lines } = runtimeWith(async () => Promise.reject(new Error('PERMISSION_DENIED on the topic')));
  await expect(handleAuditEvent(runtime, event)).rejects.toThrow(/PERMISSION_DENIED/);
  expect(lines.find((l) => l['message'] === 'event failed; it will be retried')).toMatchObject({
    error: expect.stringContaining('PERMISSION_DENIED'),
  });
});

test('the redelivery of that event skips the cluster the first delivery brought in step, and logs so', async () => {
  const lines: Array<Record<string, unknown>> = [];
  const eu = new MemoryCluster();
  const us = new MemoryCluster();
  let stuck = true;
  const listUs = MemoryCluster.prototype.listIstio.bind(us);
  us.listIstio = async (namespace: string) => (stuck ? new Promise<never>(() => undefined) : listUs(namespace));
  let euReads = 0;
  const listEu = eu.listIstio.bind(eu);
  eu.listIstio = async (namespace: string) => (euReads++, listEu(namespace));
  const stores: Record<string, MemoryCluster> = { eu, us };
  const runtime = createRuntime(config, {
    instances: {
      get: async () => readyInstance('cache-1'),
      list: async () => ({ instances: [readyInstance('cache-1')], unreachable: [] }),
    },
    cluster: async (target) => stores[target.name]!,
    publisher: { publish: async () => undefined },
    republisher: { publish: async () => Promise.reject(new Error('PERMISSION_DENIED on the topic')) },
    log: new Logger({}, (line) => void lines.push(JSON.parse(line) as Record<string, unknown>)),
  });
  await expect(handleAuditEvent(runtime, event)).rejects.toThrow(/PERMISSION_DENIED/);
  expect(eu.objects.size).toBe(4);

  stuck = false;
  euReads = 0;
  await handleAuditEvent(runtime, event);
  expect(euReads).toBe(0);
  expect(us.objects.size).toBe(4);
  expect(lines.find((l) => String(l['message']).startsWith('event reconciled'))).toMatchObject({
    event_id: 'm-1',
    message: 'event reconciled; clusters an earlier delivery brought in step were skipped',
    clusters: ['us'],
    skipped_in_step: ['eu'],
  });
});

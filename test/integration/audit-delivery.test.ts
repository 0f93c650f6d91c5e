import type { AuditRecord } from '../../shared/audit/audit-record.js';
import { outboxName } from '../../shared/audit/audit-outbox.js';
import { objectName } from '../../shared/render/names.js';
import { nameOf } from '../fixtures/instances.js';
import { AuditReader } from './support/audit-reader.js';
import { OPERATOR, startRig, type SyncRig } from './support/sync-rig.js';

/**
 * An audit record that cannot be published is never lost: it is logged with the failure and kept in the
 * deployment's outbox ConfigMap; the event is acknowledged (the change is made and its record kept), and the next
 * resync publishes what the outbox holds, then deletes it. All as the functions' own user, under the project's RBAC
 * and admission policy.
 */
let rig: SyncRig;
beforeAll(async () => {
  rig = await startRig({ namespace: 'e2e-audit-delivery' });
}, 120_000);
afterAll(async () => rig?.stop());

async function outbox(): Promise<{ records: AuditRecord[]; labels: Record<string, string> } | undefined> {
  try {
    const map = (await rig.cluster.api.read({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: outboxName('e2e'), namespace: rig.namespace },
    })) as unknown as { data?: Record<string, string>; metadata: { labels?: Record<string, string> } };
    const lines = (map.data?.['records.jsonl'] ?? '').split('\n').filter((l) => l !== '');
    return { records: lines.map((l) => JSON.parse(l) as AuditRecord), labels: map.metadata.labels ?? {} };
  } catch (error) {
    if ((error as { code?: number }).code === 404) return undefined;
    throw error;
  }
}

test('a failed publish keeps the record in the outbox, the event is acknowledged, and the next resync publishes it', async () => {
  const topic = rig.auditTopic;
  await topic.delete();
  const [operation] = await rig.redis.createInstance({
    parent: 'projects/test-project/locations/us-central1',
    instanceId: 'audited-cache',
    instance: { tier: 'BASIC', memorySizeGb: 1 },
  });
  await operation.promise();
  await rig.idle();

  const failedLines = rig.logs().filter((l) => l['message'] === 'audit record' && l['audit_delivery_error']);
  expect(failedLines.length).toBeGreaterThan(0);
  expect(failedLines[0]).toMatchObject({ severity: 'ERROR', record: { action: 'create', outcome: 'applied' } });
  // The change was made and its records kept: nothing is gained by a redelivery.
  expect((await rig.cluster.istioObjects()).has(`ServiceEntry/${objectName(nameOf('audited-cache'))}`)).toBe(true);
  expect(rig.deliveries().filter((d) => d.status !== 204)).toEqual([]);
  const kept = await outbox();
  const failedIds = failedLines.map((l) => (l['record'] as AuditRecord).id).sort();
  expect(kept?.records.map((r) => r.id).sort()).toEqual(failedIds);
  expect(kept?.labels).toMatchObject({
    'app.kubernetes.io/managed-by': 'memorystore-egress-sync',
    'memorystore-egress-sync/owner': 'e2e',
  });

  // Publishing works again; a consumer subscribes; the next resync empties the outbox onto the topic.
  await topic.create();
  const [subscription] = await topic.createSubscription(`${rig.namespace}-after-outage`, { ackDeadlineSeconds: 30 });
  const reader = new AuditReader(subscription);
  try {
    const resync = await rig.resync('', OPERATOR);
    expect(resync.status).toBe(200);
    const delivered = (await reader.all()).map((p) => p.record);
    expect(
      delivered
        .filter((r) => failedIds.includes(r.id))
        .map((r) => r.id)
        .sort(),
    ).toEqual(failedIds);
    expect(await outbox()).toBeUndefined();
  } finally {
    await reader.close();
  }
}, 90_000);

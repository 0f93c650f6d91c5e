import { objectName } from '../../shared/render/names.js';
import { nameOf } from '../fixtures/instances.js';
import { startRig, type SyncRig } from './support/sync-rig.js';

/**
 * With AUDIT_REQUIRED=true, an audit record that cannot be published is never lost in silence: it is logged with the
 * failure and the invocation fails, so Pub/Sub redelivers the event.
 */
let rig: SyncRig;
beforeAll(async () => {
  rig = await startRig({ namespace: 'e2e-audit-delivery' });
}, 120_000);
afterAll(async () => rig?.stop());

test('a failed publish is logged with the record and fails the invocation, and the event is redelivered', async () => {
  const topic = rig.auditTopic;
  await topic.delete();
  const [operation] = await rig.redis.createInstance({ parent: 'projects/test-project/locations/us-central1', instanceId: 'audited-cache', instance: { tier: 'BASIC', memorySizeGb: 1 } });
  await operation.promise();
  await rig.settle();

  const failedLines = rig.logs().filter((l) => l['message'] === 'audit record' && l['audit_delivery_error']);
  expect(failedLines.length).toBeGreaterThan(0);
  expect(failedLines[0]).toMatchObject({ severity: 'ERROR', record: { action: 'create', outcome: 'applied' } });
  expect(rig.deliveries().some((d) => d.status === 500)).toBe(true);
  // The change itself was made: only its record's delivery failed.
  expect((await rig.cluster.istioObjects()).has(`ServiceEntry/${objectName(nameOf('audited-cache'))}`)).toBe(true);

  // Redelivered, the event finds nothing left to change (the objects were written), so it succeeds.
  const failed = rig.deliveries().find((d) => d.status === 500)!;
  const attempts = rig.deliveries().filter((d) => d.messageId === failed.messageId);
  expect(attempts.map((d) => d.status)).toEqual([500, ...attempts.slice(1).map(() => expect.any(Number))]);
  expect(attempts.at(-1)?.status).toBe(204);
  await topic.create();
}, 60_000);

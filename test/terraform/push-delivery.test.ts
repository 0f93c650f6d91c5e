import { getTestServer } from '@google-cloud/functions-framework/testing';
import request from 'supertest';
import { BASE_ENV } from '../../dev/fixtures/settings.js';
import { logEntry } from '../../dev/fixtures/audit-entries.js';
import { captureLogs } from '../support/capture-logs.js';
import { block, loadModule, resource, TERRAFORM_DIR } from '../../dev/terraform/load-terraform.js';

/**
 * The deployment delivers events with its own push subscription, not a function trigger (pubsub.tf says why). This
 * posts what that subscription posts, on the path Terraform gives it, to the real Functions Framework: the event
 * function must receive the same messagePublished CloudEvent a trigger would deliver, with the publish time as the
 * event time.
 */
let pushPath: string;
beforeAll(async () => {
  const tf = await loadModule(TERRAFORM_DIR);
  const endpoint = String(
    block(resource(tf, 'google_pubsub_subscription', 'events_push'), 'push_config')['push_endpoint'],
  );
  pushPath = endpoint
    .replace('${google_cloudfunctions2_function.sync.service_config[0].uri}', '')
    .replace('${var.project_id}', 'test-project')
    .replace('${google_pubsub_topic.events.name}', 'memorystore-egress-sync-events');
  Object.assign(process.env, BASE_ENV, { MEMORYSTORE_API_ENDPOINT: '127.0.0.1:9', MEMORYSTORE_API_PLAINTEXT: 'true' });
  await import('../../functions/index.js');
});

/** A Pub/Sub push request body (the wrapped format), as the subscription sends it. */
function pushBody(entry: unknown, messageId: string, publishTime: string): object {
  return {
    message: {
      data: Buffer.from(JSON.stringify(entry)).toString('base64'),
      attributes: { 'logging.googleapis.com/timestamp': publishTime },
      messageId,
      publishTime,
    },
    subscription: 'projects/test-project/subscriptions/memorystore-egress-sync-events-push',
  };
}

async function deliver(
  body: object,
  eventId: string,
): Promise<{ status: number; line: Record<string, unknown> | undefined }> {
  const logs = captureLogs();
  try {
    const response = await request(getTestServer('syncOnAuditLog'))
      .post(pushPath)
      .set('content-type', 'application/json')
      .send(JSON.stringify(body));
    return { status: response.status, line: logs.lines().find((l) => l['event_id'] === eventId) };
  } finally {
    logs.restore();
  }
}

test('the push path is the function root plus projects/P/topics/T', () => {
  expect(pushPath).toBe('/projects/test-project/topics/memorystore-egress-sync-events');
});

test('a pushed audit entry reaches the event function as a decoded messagePublished event', async () => {
  const entry = logEntry({ resourceName: 'projects/other/locations/us-central1/instances/x' });
  const { status, line } = await deliver(pushBody(entry, 'push-1', new Date().toISOString()), 'push-1');
  expect(status).toBe(204);
  // Getting as far as the project check means the type, the base64 data and the LogEntry were all read.
  expect(line).toMatchObject({
    event_type: 'google.cloud.pubsub.topic.v1.messagePublished',
    reason: expect.stringMatching(/not MEMORYSTORE_PROJECT/),
  });
});

test('the publish time is the event time, so EVENT_MAX_AGE_SECONDS bounds redeliveries', async () => {
  const old = new Date(Date.now() - 2 * 3600 * 1000).toISOString();
  const { status, line } = await deliver(pushBody(logEntry(), 'push-2', old), 'push-2');
  expect(status).toBe(204);
  expect(line).toMatchObject({ reason: expect.stringMatching(/older than EVENT_MAX_AGE_SECONDS/) });
});

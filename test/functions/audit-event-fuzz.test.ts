import { jest } from '@jest/globals';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import fc from 'fast-check';
import request from 'supertest';
import { BASE_ENV } from '../../dev/fixtures/settings.js';
import { captureLogs } from '../support/capture-logs.js';
import { eventCase, mayBeActedOn, type EventCase } from '../../dev/fuzz/audit-event-cases.js';

/**
 * Generated events through the real Functions Framework: whatever arrives, `syncOnAuditLog` answers 2xx with a logged
 * reason (acknowledged: a retry cannot fix it) unless it is an intact Redis change of our project, which it tries to
 * act on (here that fails, the cluster being unreachable: 500, "will be retried"). No log line passes 16 KB.
 */
const LOG_LINE_LIMIT = 16 * 1024;
let logs: ReturnType<typeof captureLogs>;
const stderr: string[] = [];
let sent = 0;

beforeAll(async () => {
  Object.assign(process.env, BASE_ENV, { MEMORYSTORE_API_ENDPOINT: '127.0.0.1:9', MEMORYSTORE_API_PLAINTEXT: 'true' });
  await import('../../functions/index.js');
  logs = captureLogs();
  jest
    .spyOn(console, 'error')
    .mockImplementation((...parts: unknown[]) => void stderr.push(parts.map(String).join(' ')));
});
afterAll(() => logs.restore());

const isScalar = (body: string): boolean => !/^[[{]/.test(body);

async function post(generated: EventCase): Promise<{ id: string; status: number }> {
  const id = `fuzz-${++sent}`;
  const response = await request(getTestServer('syncOnAuditLog'))
    .post('/')
    .set({
      'ce-id': id,
      'ce-specversion': '1.0',
      'ce-type': generated.type,
      'ce-source': '//pubsub.googleapis.com/projects/test-project/topics/t',
      'content-type': 'application/json',
    })
    .send(generated.body);
  return { id, status: response.status };
}

test('every generated event is acknowledged with a reason, unless it is a change of ours; no crash, no huge log line', async () => {
  const outcomes = { acknowledged: 0, retried: 0 };
  await fc.assert(
    fc.asyncProperty(eventCase, async (generated) => {
      const { id, status } = await post(generated);
      // A blank ce-type is no binary CloudEvent to the Functions Framework: the function gets an event without id or
      // type, acknowledges it with a reason, and its line has no event_id to find it by; it is the last line then.
      const line =
        logs.lines().find((l) => l['event_id'] === id) ??
        (generated.type.trim() === '' ? logs.lines().at(-1) : undefined);
      if (isScalar(generated.body)) {
        // body-parser (strict JSON) refuses a top-level scalar before the function runs; Eventarc never sends one.
        expect([status, line]).toEqual([400, undefined]);
        return;
      }
      if (status === 500) {
        outcomes.retried++;
        expect(mayBeActedOn(generated.entry, 'test-project')).toBe(true);
        expect(line).toMatchObject({
          severity: 'ERROR',
          message: 'event failed; it will be retried',
          error: expect.stringMatching(/kubeconfig/i),
        });
      } else {
        outcomes.acknowledged++;
        expect(status).toBe(204);
        expect(line).toMatchObject({
          severity: 'INFO',
          message: 'event acknowledged without action',
          reason: expect.any(String),
        });
      }
      expect(JSON.stringify(line).length).toBeLessThanOrEqual(LOG_LINE_LIMIT);
    }),
    { numRuns: 800 },
  );
  // Both paths were exercised: the property is not vacuous.
  expect(outcomes.acknowledged).toBeGreaterThan(400);
  expect(outcomes.retried).toBeGreaterThan(5);
  expect(Math.max(...stderr.map((s) => s.length))).toBeLessThanOrEqual(LOG_LINE_LIMIT);
}, 120_000);

// Log amplification: a 3 MB unknown CloudRedis method name was once written into the log line in full.
test('an event with a 3 MB unknown CloudRedis method writes no log line over 16 KB', async () => {
  const methodName = `google.cloud.redis.v1.CloudRedis.${'A'.repeat(3 * 1024 * 1024)}`;
  const { id, status } = await post({
    type: 'google.cloud.audit.log.v1.written',
    body: JSON.stringify({
      protoPayload: {
        serviceName: 'redis.googleapis.com',
        methodName,
        resourceName: 'projects/test-project/locations/us-central1/instances/x',
      },
    }),
    entry: undefined,
  });
  expect(status).toBe(204);
  expect(JSON.stringify(logs.lines().find((l) => l['event_id'] === id)).length).toBeLessThanOrEqual(LOG_LINE_LIMIT);
});

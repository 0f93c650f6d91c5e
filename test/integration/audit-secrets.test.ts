import { startRig, type SyncRig } from './support/sync-rig.js';

/**
 * Nothing secret reaches a record or a log line: an instance with AUTH on (its AUTH string exists in the Memorystore
 * API) and a resync called with a bearer token, then every log line, every audit message and every object written is
 * searched for the AUTH string and the token.
 */
let rig: SyncRig;
beforeAll(async () => {
  rig = await startRig({ namespace: 'e2e-secrets' });
}, 120_000);
afterAll(async () => rig?.stop());

test('no AUTH string, token or key material anywhere', async () => {
  const full = await rig.createInstance('auth-cache', { authEnabled: true, transitEncryptionMode: 'SERVER_AUTHENTICATION' });
  const [auth] = await rig.redis.getInstanceAuthString({ name: full });
  expect(auth.authString?.length).toBeGreaterThan(8);
  const token = await rig.issuer.sign({ email: 'operator@example.com', audience: 'https://us-central1-test-project.cloudfunctions.net/resync' });
  const response = await fetch(rig.resyncUrl, { method: 'POST', headers: { authorization: `Bearer ${token}`, traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' } });
  expect(response.status).toBe(200);
  const bad = await fetch(rig.resyncUrl, { method: 'POST', headers: { authorization: `Bearer ${token}x` } });
  expect(bad.status).toBe(401);

  const published = await rig.audit.all();
  expect(published.length).toBeGreaterThan(0);
  const haystacks = [
    JSON.stringify(rig.logs()),
    JSON.stringify(published),
    JSON.stringify([...(await rig.cluster.istioObjects()).values()]),
    await response.text().catch(() => ''),
  ];
  const secrets = [auth.authString!, token, token.split('.')[2]!, 'PRIVATE KEY'];
  for (const haystack of haystacks) for (const secret of secrets) expect(haystack).not.toContain(secret);
  // The log lines of the resync carry the request's trace, so they can be found from the request.
  expect(rig.logs().some((l) => l['logging.googleapis.com/trace'] === 'projects/test-project/traces/4bf92f3577b34da6a3ce929d0e0e4736')).toBe(true);
  expect(rig.logs().some((l) => l['message'] === 'audit record')).toBe(true);
});

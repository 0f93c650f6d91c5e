import { stripSignature } from '../../dev/harness/id-tokens.js';
import { AUDIENCE, startRig, type SyncRig } from './support/sync-rig.js';

/**
 * Nothing secret reaches a record or a log line: an instance with AUTH on (its AUTH string exists in the Memorystore
 * API) and a resync called with a bearer token through the Cloud Run front, then every log line, every audit message,
 * every object written and every response is searched for the AUTH string and every part of the token. A malformed
 * token sent straight to the function (no front) is not echoed either.
 */
let rig: SyncRig;
beforeAll(async () => {
  rig = await startRig({ namespace: 'e2e-secrets' });
}, 120_000);
afterAll(async () => rig?.stop());

test('no AUTH string, token or key material anywhere', async () => {
  const full = await rig.createInstance('auth-cache', {
    authEnabled: true,
    transitEncryptionMode: 'SERVER_AUTHENTICATION',
  });
  const [auth] = await rig.redis.getInstanceAuthString({ name: full });
  expect(auth.authString?.length).toBeGreaterThan(8);
  const token = await rig.issuer.sign({ email: 'operator@example.com', audience: AUDIENCE });
  const response = await fetch(rig.resyncUrl, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    },
  });
  expect(response.status).toBe(200);
  const [header, payload, signature] = token.split('.') as [string, string, string];
  const bad = await fetch(rig.resyncUrl, { method: 'POST', headers: { authorization: `Bearer ${token}x` } });
  expect(bad.status).toBe(401);
  // Straight to the function: a header segment that decodes, a payload that does not.
  const malformed = await fetch(rig.functionUrl, {
    method: 'POST',
    headers: { authorization: `Bearer ${stripSignature(`${header}.e30x${payload}.x`)}` },
  });
  expect(malformed.status).toBe(401);

  const published = await rig.audit.all();
  expect(published.length).toBeGreaterThan(0);
  const haystacks = [
    JSON.stringify(rig.logs()),
    JSON.stringify(published),
    JSON.stringify([...(await rig.cluster.istioObjects()).values()]),
    await response.text().catch(() => ''),
    await bad.text(),
    await malformed.text(),
  ];
  const secrets = [auth.authString!, token, header, payload, signature, 'PRIVATE KEY'];
  for (const haystack of haystacks) for (const secret of secrets) expect(haystack).not.toContain(secret);
  // The log lines of the resync carry the request's trace, so they can be found from the request.
  expect(
    rig
      .logs()
      .some(
        (l) => l['logging.googleapis.com/trace'] === 'projects/test-project/traces/4bf92f3577b34da6a3ce929d0e0e4736',
      ),
  ).toBe(true);
  expect(rig.logs().some((l) => l['message'] === 'audit record')).toBe(true);
});

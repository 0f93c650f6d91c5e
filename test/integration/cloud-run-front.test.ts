import { renderDirect } from '../../shared/render/render-instance.js';
import { nameOf } from '../fixtures/instances.js';
import { testPlanSettings } from '../../dev/fixtures/settings.js';
import { serveFunction, type ServedFunction } from '../../dev/harness/functions-framework/serve-function.js';
import { startCloudRunFront, type CloudRunFront } from '../../dev/harness/cloud-run-front/index.js';
import type { TokenClaims } from '../../dev/harness/id-tokens.js';
import { AUDIENCE, INVOKER_ONLY, OPERATOR, SCHEDULER, startRig, type SyncRig } from './support/sync-rig.js';

/**
 * `resync` as deployed: behind Cloud Run's front end (the local stand-in), with RESYNC_AUTH=cloud-run. The front
 * refuses what the platform refuses before the function sees it; the function refuses what reaches it unless it is a
 * token the front checked, for the right audience, from a verified and listed principal.
 */
const CUSTOM_AUDIENCE = 'https://resync.example.com';
let rig: SyncRig;
beforeAll(async () => {
  rig = await startRig({ namespace: 'e2e-front', customAudiences: [CUSTOM_AUDIENCE] });
  // An orphan, so that every dry run plans one delete whose record names the caller.
  const settings = testPlanSettings({ ISTIO_NAMESPACE: rig.namespace, OWNER_ID: 'e2e', SYNC_MODE: 'direct' });
  for (const object of renderDirect(
    nameOf('front-orphan'),
    [{ role: 'primary', address: '10.50.0.1', port: 6379 }],
    settings,
  ))
    await rig.cluster.create(object);
}, 120_000);
afterAll(async () => rig?.stop());

const claims = (email: string, more: Partial<TokenClaims> = {}): TokenClaims => ({
  email,
  audience: AUDIENCE,
  ...more,
});
type Headers = Record<string, string>;
type Send = () => Promise<{ to: 'front' | 'function'; headers: Headers }>;
const viaFront =
  (headers: () => Promise<Headers>): Send =>
  async () => ({ to: 'front', headers: await headers() });
const direct =
  (headers: () => Promise<Headers>): Send =>
  async () => ({ to: 'function', headers: await headers() });
const bearer = async (token: Promise<string>): Promise<string> => `Bearer ${await token}`;

async function call(
  send: Send,
  query = '?dryRun=true&force=true',
): Promise<{ status: number; body: Record<string, unknown>; forwarded: boolean }> {
  const { to, headers } = await send();
  const before = rig.front.decisions.length;
  const response = await fetch(`${to === 'front' ? rig.resyncUrl : rig.functionUrl}${query}`, {
    method: 'POST',
    headers,
  });
  const text = await response.text();
  const forwarded = rig.front.decisions.slice(before).some((d) => d.status === 'forwarded');
  return {
    status: response.status,
    body: text.startsWith('{') ? (JSON.parse(text) as Record<string, unknown>) : { page: text },
    forwarded,
  };
}

describe('refused, with the right status and at the right layer', () => {
  test.each<[string, Send, number, 'front' | 'function']>([
    ['no token', viaFront(async () => ({})), 401, 'front'],
    [
      'a token signed by another key (forged)',
      viaFront(async () => ({ authorization: await bearer(rig.issuer.signWithUnknownKey(claims(OPERATOR))) })),
      401,
      'front',
    ],
    [
      'an expired token',
      viaFront(async () => ({
        authorization: await bearer(rig.issuer.sign(claims(OPERATOR, { expiresInSeconds: -600 }))),
      })),
      401,
      'front',
    ],
    [
      'a token for another service',
      viaFront(async () => ({
        authorization: await bearer(
          rig.issuer.sign(claims(OPERATOR, { audience: 'https://other-e2etest-uc.a.run.app' })),
        ),
      })),
      401,
      'front',
    ],
    [
      'a token from a principal without roles/run.invoker',
      viaFront(async () => ({ authorization: await bearer(rig.issuer.sign(claims('mallory@example.com'))) })),
      403,
      'front',
    ],
    [
      'stripped, but for an audience the function does not serve (a custom audience of the service)',
      viaFront(async () => ({
        authorization: await bearer(rig.issuer.sign(claims(OPERATOR, { audience: CUSTOM_AUDIENCE }))),
      })),
      401,
      'function',
    ],
    [
      'an invoker that is not in RESYNC_ALLOWED_PRINCIPALS',
      viaFront(async () => ({ authorization: await bearer(rig.issuer.sign(claims(INVOKER_ONLY))) })),
      403,
      'function',
    ],
    [
      'an unverified email',
      viaFront(async () => ({
        authorization: await bearer(rig.issuer.sign(claims(OPERATOR, { emailVerified: false }))),
      })),
      403,
      'function',
    ],
    [
      'a Google-signed token with its signature, straight to the function (bypassing the front)',
      direct(async () => ({ authorization: await bearer(rig.issuer.sign(claims(OPERATOR))) })),
      401,
      'function',
    ],
    [
      'a forged stripped token for another audience, straight to the function',
      direct(async () => ({
        authorization: await bearer(
          rig.issuer.forgeStripped(claims(OPERATOR, { audience: 'https://other-e2etest-uc.a.run.app' })),
        ),
      })),
      401,
      'function',
    ],
    [
      'a forged stripped token that has expired, straight to the function',
      direct(async () => ({
        authorization: await bearer(rig.issuer.forgeStripped(claims(OPERATOR, { expiresInSeconds: -600 }))),
      })),
      401,
      'function',
    ],
    [
      'X-Serverless-Authorization forged, a valid token in Authorization: the front checks only the first',
      viaFront(async () => ({
        'x-serverless-authorization': await bearer(rig.issuer.signWithUnknownKey(claims(OPERATOR))),
        authorization: await bearer(rig.issuer.sign(claims(OPERATOR))),
      })),
      401,
      'front',
    ],
    [
      'X-Serverless-Authorization expired',
      viaFront(async () => ({
        'x-serverless-authorization': await bearer(rig.issuer.sign(claims(OPERATOR, { expiresInSeconds: -600 }))),
      })),
      401,
      'front',
    ],
    [
      'X-Serverless-Authorization of an invoker that is not allowed, with a forged stripped operator token in Authorization (untouched by the front): the function reads the header the front checked',
      viaFront(async () => ({
        'x-serverless-authorization': await bearer(rig.issuer.sign(claims(INVOKER_ONLY))),
        authorization: await bearer(rig.issuer.forgeStripped(claims(OPERATOR))),
      })),
      403,
      'function',
    ],
  ])('%s', async (_title, send, status, layer) => {
    const before = rig.logs().length;
    const result = await call(send);
    expect(result.status).toBe(status);
    // Refused by the front: the function never saw the request. Refused by the function: it answered with JSON.
    if (layer === 'front')
      expect([result.forwarded, result.body['page']]).toEqual([false, expect.stringContaining(`<title>${status} `)]);
    else expect(result.body).toEqual({ error: expect.any(String) });
    expect(
      rig
        .logs()
        .slice(before)
        .filter((l) => l['message'] === 'resync finished'),
    ).toEqual([]);
  });
});

describe('admitted through the front: the resync runs (RESYNC_AUTH=cloud-run accepts the token the front stripped)', () => {
  // These fail if the function goes back to verifying the signature of the token it receives: behind the front,
  // that signature is always SIGNATURE_REMOVED_BY_GOOGLE (see also the verify-mode service below).
  test.each<[string, () => Promise<Headers>, string, boolean]>([
    [
      'the operator, in Authorization (manual)',
      async () => ({ authorization: await bearer(rig.issuer.sign(claims(OPERATOR))) }),
      OPERATOR,
      false,
    ],
    [
      'Cloud Scheduler, in Authorization (scheduled)',
      async () => ({ authorization: await bearer(rig.issuer.sign(claims(SCHEDULER))) }),
      SCHEDULER,
      true,
    ],
    [
      'the operator, in X-Serverless-Authorization',
      async () => ({ 'x-serverless-authorization': await bearer(rig.issuer.sign(claims(OPERATOR))) }),
      OPERATOR,
      false,
    ],
    [
      "the operator, in X-Serverless-Authorization, with the caller's own Authorization left for the app",
      async () => ({
        'x-serverless-authorization': await bearer(rig.issuer.sign(claims(OPERATOR))),
        authorization: 'Basic dXNlcjpwYXNz',
      }),
      OPERATOR,
      false,
    ],
  ])('%s → 200', async (_title, headers, principal, scheduled) => {
    const result = await call(viaFront(headers));
    expect(result).toMatchObject({ status: 200, forwarded: true, body: { dry_run: true } });
    const planned = (result.body['records'] as Array<{ action: string; trigger: unknown }>).find(
      (r) => r.action === 'delete',
    );
    expect(planned?.trigger).toEqual({ kind: 'resync', principal, scheduled });
  });
});

describe('the same front in front of a function with RESYNC_AUTH=verify', () => {
  let verifying: ServedFunction;
  let front: CloudRunFront;
  beforeAll(async () => {
    verifying = await serveFunction('resync', { ...process.env, RESYNC_AUTH: 'verify' });
    front = await startCloudRunFront({
      target: verifying.url,
      serviceUrl: AUDIENCE,
      invokers: [OPERATOR, SCHEDULER],
      certsUrl: rig.issuer.certsUrl,
    });
  }, 60_000);
  afterAll(async () => {
    await front?.stop();
    await verifying?.stop();
  });
  const post = (headers: Headers) => fetch(`${front.url}?dryRun=true&force=true`, { method: 'POST', headers });

  test('refuses the token the front stripped: its signature cannot be verified (why Terraform deploys cloud-run)', async () => {
    const response = await post({ authorization: await bearer(rig.issuer.sign(claims(OPERATOR))) });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({
      error: expect.stringMatching(/signature was removed by Cloud Run.*RESYNC_AUTH=cloud-run/),
    });
    expect(front.decisions.at(-1)?.status).toBe('forwarded');
  });

  test('verifies the intact copy when the caller sends its token in X-Serverless-Authorization and Authorization', async () => {
    const token = await bearer(rig.issuer.sign(claims(OPERATOR)));
    const response = await post({ 'x-serverless-authorization': token, authorization: token });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ dry_run: true });
  });
});

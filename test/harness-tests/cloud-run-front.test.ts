import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SIGNATURE_REMOVED } from '../../shared/http/bearer-token.js';
import { startCloudRunFront, type CloudRunFront } from '../../dev/harness/cloud-run-front/index.js';
import { startTokenIssuer, type TokenIssuer } from '../../dev/harness/id-tokens.js';
import { gcloudStandIn } from '../../dev/harness/cloud-run-front/gcloud.js';

/** The local Cloud Run front on its own, in front of a server that echoes what reached it. */
const SERVICE = 'https://echo-harness-uc.a.run.app';
let issuer: TokenIssuer;
let echo: Server;
let front: CloudRunFront;
const seen: Array<{ method: string; url: string; headers: IncomingHttpHeaders; body: string }> = [];

beforeAll(async () => {
  issuer = await startTokenIssuer();
  echo = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      seen.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers, body });
      response.writeHead(207, { 'content-type': 'text/plain', 'x-echo': 'yes' }).end(`echo ${body}`);
    });
  });
  await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
  const target = `http://127.0.0.1:${(echo.address() as AddressInfo).port}/`;
  front = await startCloudRunFront({
    target,
    serviceUrl: SERVICE,
    customAudiences: ['https://echo.example.com'],
    invokers: ['operator@example.com'],
    certsUrl: issuer.certsUrl,
  });
});
afterAll(async () => {
  await front?.stop();
  await new Promise((resolve) => echo?.close(resolve));
  await issuer?.close();
});

const token = (more: Partial<Parameters<TokenIssuer['sign']>[0]> = {}) =>
  issuer.sign({ email: 'operator@example.com', audience: SERVICE, ...more });

test('forwards an admitted request with the signature of the checked token removed, and the answer back', async () => {
  const signed = await token();
  const response = await fetch(`${front.url}some/path?dryRun=true`, {
    method: 'POST',
    headers: { authorization: `Bearer ${signed}`, 'x-google-internal': 'spoofed', 'content-type': 'application/json' },
    body: '{"a":1}',
  });
  expect([response.status, response.headers.get('x-echo'), await response.text()]).toEqual([
    207,
    'yes',
    'echo {"a":1}',
  ]);
  const got = seen.at(-1)!;
  expect([got.method, got.url, got.body]).toEqual(['POST', '/some/path?dryRun=true', '{"a":1}']);
  expect(got.headers['authorization']).toBe(`Bearer ${signed.split('.').slice(0, 2).join('.')}.${SIGNATURE_REMOVED}`);
  expect(got.headers).toMatchObject({
    host: 'echo-harness-uc.a.run.app',
    'x-forwarded-proto': 'https',
    'x-cloud-trace-context': expect.stringMatching(/^[0-9a-f]{32}\/\d+;o=1$/),
  });
  expect(got.headers['x-google-internal']).toBeUndefined();
});

test('X-Serverless-Authorization is checked and stripped instead, and Authorization passes untouched', async () => {
  const signed = await token({ audience: 'https://echo.example.com' });
  const response = await fetch(front.url, {
    method: 'POST',
    headers: { 'x-serverless-authorization': `Bearer ${signed}`, authorization: 'Basic dXNlcjpwYXNz' },
  });
  expect(response.status).toBe(207);
  const got = seen.at(-1)!;
  expect(got.headers['x-serverless-authorization']).toBe(
    `Bearer ${signed.split('.').slice(0, 2).join('.')}.${SIGNATURE_REMOVED}`,
  );
  expect(got.headers['authorization']).toBe('Basic dXNlcjpwYXNz');
});

test("a person's own gcloud token (gcloud's client id as audience) is admitted, as Cloud Run admits it", async () => {
  const own = await gcloudStandIn(issuer, {}).printIdentityToken({ account: 'operator@example.com' });
  const response = await fetch(front.url, { method: 'POST', headers: { authorization: `Bearer ${own}` } });
  expect([response.status, front.decisions.at(-1)?.status]).toEqual([207, 'forwarded']);
});

test.each<[string, () => Promise<Record<string, string>>, number]>([
  ['no token', async () => ({}), 401],
  [
    'a token signed by another key',
    async () => ({
      authorization: `Bearer ${await issuer.signWithUnknownKey({ email: 'operator@example.com', audience: SERVICE })}`,
    }),
    401,
  ],
  [
    'a token already stripped',
    async () => ({
      authorization: `Bearer ${await issuer.forgeStripped({ email: 'operator@example.com', audience: SERVICE })}`,
    }),
    401,
  ],
  ['an expired token', async () => ({ authorization: `Bearer ${await token({ expiresInSeconds: -120 })}` }), 401],
  [
    'a token for another audience',
    async () => ({ authorization: `Bearer ${await token({ audience: 'https://elsewhere.a.run.app' })}` }),
    401,
  ],
  [
    'a token from another issuer',
    async () => ({ authorization: `Bearer ${await token({ issuer: 'https://evil.example.com' })}` }),
    401,
  ],
  [
    'a principal without run.invoker',
    async () => ({ authorization: `Bearer ${await issuer.sign({ email: 'mallory@example.com', audience: SERVICE })}` }),
    403,
  ],
  [
    'a bad X-Serverless-Authorization beside a good Authorization',
    async () => ({ 'x-serverless-authorization': 'Bearer nope', authorization: `Bearer ${await token()}` }),
    401,
  ],
])('refuses %s before the container sees it', async (_title, headers, status) => {
  const before = seen.length;
  const response = await fetch(front.url, { method: 'POST', headers: await headers() });
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^text\/html/);
  expect(seen.length).toBe(before);
  expect(front.decisions.at(-1)).toMatchObject({ status });
});

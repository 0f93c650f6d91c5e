import { getTestServer } from '@google-cloud/functions-framework/testing';
import request from 'supertest';
import { BASE_ENV } from '../../dev/fixtures/settings.js';
import { logEntry, pubsubEvent } from '../../dev/fixtures/audit-entries.js';
import { captureLogs } from '../support/capture-logs.js';
import { startTokenIssuer, stripSignature, type TokenIssuer } from '../../dev/harness/id-tokens.js';
import { ACCEPTED_OPTIONS, REFUSED_OPTIONS, type OptionsRequest } from '../fixtures/resync-options.js';

/**
 * Both functions through the real Functions Framework, on the paths that need no cluster: acknowledging events that
 * are not ours, and rejecting resync callers. The whole path against real components is in test/integration.
 */
let issuer: TokenIssuer;
const audience = BASE_ENV['RESYNC_AUDIENCE']!;

beforeAll(async () => {
  issuer = await startTokenIssuer();
  // A plaintext loopback Memorystore endpoint keeps the client from probing Google's metadata server.
  Object.assign(process.env, BASE_ENV, {
    ID_TOKEN_CERTS_URL: issuer.certsUrl,
    MEMORYSTORE_API_ENDPOINT: '127.0.0.1:9',
    MEMORYSTORE_API_PLAINTEXT: 'true',
  });
  await import('../../functions/index.js');
});

afterAll(async () => {
  await issuer.close();
});

function postEvent(event: ReturnType<typeof pubsubEvent>): request.Test {
  return request(getTestServer('syncOnAuditLog'))
    .post('/')
    .set('ce-id', event.id)
    .set('ce-specversion', '1.0')
    .set('ce-type', event.type)
    .set('ce-source', '//pubsub.googleapis.com/projects/test-project/topics/redis-audit')
    .set('content-type', 'application/json')
    .send(JSON.stringify(event.data));
}

describe('syncOnAuditLog', () => {
  test.each([
    ['a payload that is not JSON', pubsubEvent('garbage'), /not a JSON LogEntry/],
    [
      'another service',
      pubsubEvent(logEntry({ serviceName: 'compute.googleapis.com' })),
      /is not one of redis\.googleapis\.com/,
    ],
    [
      'the first entry of an operation',
      pubsubEvent(logEntry({ operation: { first: true, last: false } })),
      /first entry/,
    ],
    [
      'an instance of another project',
      pubsubEvent(logEntry({ resourceName: 'projects/other/locations/us-central1/instances/x' })),
      /not MEMORYSTORE_PROJECT/,
    ],
  ])('acknowledges %s (2xx) and logs why', async (_title, event, reason) => {
    const logs = captureLogs();
    try {
      const response = await postEvent(event);
      expect(response.status).toBe(204);
      const line = logs.lines().find((l) => l['event_id'] === event.id);
      expect(line).toMatchObject({ severity: 'INFO', reason: expect.stringMatching(reason) });
    } finally {
      logs.restore();
    }
  });

  test('an event older than EVENT_MAX_AGE_SECONDS is dropped with a reason (the resync repairs)', async () => {
    const logs = captureLogs();
    try {
      const event = pubsubEvent(logEntry(), { id: 'too-old' });
      const response = await postEvent(event).set('ce-time', '2020-01-01T00:00:00Z');
      expect(response.status).toBe(204);
      expect(logs.lines().find((l) => l['event_id'] === 'too-old')).toMatchObject({
        reason: expect.stringMatching(/older than EVENT_MAX_AGE_SECONDS/),
      });
    } finally {
      logs.restore();
    }
  });

  test('an Eventarc audit-log event (data = the LogEntry) is decoded too', async () => {
    const logs = captureLogs();
    try {
      const entry = logEntry({ resourceName: 'projects/other/locations/us-central1/instances/x' });
      const response = await request(getTestServer('syncOnAuditLog'))
        .post('/')
        .set('ce-id', 'eventarc-1')
        .set('ce-specversion', '1.0')
        .set('ce-type', 'google.cloud.audit.log.v1.written')
        .set('ce-source', '//cloudaudit.googleapis.com/projects/other/logs/activity')
        .set('content-type', 'application/json')
        .send(JSON.stringify(entry));
      expect(response.status).toBe(204);
      // It got as far as the instance's project, so the entry was read.
      expect(logs.lines().find((l) => l['event_id'] === 'eventarc-1')).toMatchObject({
        reason: expect.stringMatching(/project other, not MEMORYSTORE_PROJECT/),
      });
    } finally {
      logs.restore();
    }
  });

  test('an event it must act on fails (so Pub/Sub retries) when the cluster cannot be reached', async () => {
    const logs = captureLogs();
    try {
      const response = await postEvent(pubsubEvent(logEntry(), { id: 'needs-cluster' }));
      expect(response.status).toBe(500);
      expect(logs.lines().find((l) => l['event_id'] === 'needs-cluster')).toMatchObject({
        severity: 'ERROR',
        message: expect.stringMatching(/retried/),
      });
    } finally {
      logs.restore();
    }
  });
});

describe('resync authentication (RESYNC_AUTH=verify, the default: the token arrives intact)', () => {
  const server = () => request(getTestServer('resync'));

  test('no token: 401 with a JSON error', async () => {
    const response = await server().post('/');
    expect(response.status).toBe(401);
    expect(response.body).toEqual({ error: expect.stringMatching(/identity token is required/) });
  });

  test('GET is not allowed', async () => {
    expect((await server().get('/')).status).toBe(405);
  });

  test.each([
    [
      'a token for another audience',
      () => issuer.sign({ email: 'operator@example.com', audience: 'https://elsewhere' }),
      401,
      /wrong audience/,
    ],
    [
      'an expired token',
      () => issuer.sign({ email: 'operator@example.com', audience, expiresInSeconds: -600 }),
      401,
      /expired/,
    ],
    [
      'a token issued in the future',
      () =>
        issuer.sign({ email: 'operator@example.com', audience, issuedAtOffsetSeconds: 900, expiresInSeconds: 3600 }),
      401,
      /issued in the future/,
    ],
    [
      'a token signed by an unknown key',
      () => issuer.signWithUnknownKey({ email: 'operator@example.com', audience }),
      401,
      /bad signature/,
    ],
    [
      'a token from another issuer',
      () => issuer.sign({ email: 'operator@example.com', audience, issuer: 'https://evil.example.com' }),
      401,
      /not issued by Google/,
    ],
    [
      'a token whose signature Cloud Run removed',
      async () => stripSignature(await issuer.sign({ email: 'operator@example.com', audience })),
      401,
      /removed by Cloud Run.*RESYNC_AUTH=cloud-run/,
    ],
    [
      'a principal that is not allowed',
      () => issuer.sign({ email: 'mallory@example.com', audience }),
      403,
      /not in RESYNC_ALLOWED_PRINCIPALS/,
    ],
    [
      'an unverified email',
      () => issuer.sign({ email: 'operator@example.com', audience, emailVerified: false }),
      403,
      /no verified email/,
    ],
  ])('%s is refused, and nothing of the token is echoed', async (_title, token, status, reason) => {
    const logs = captureLogs();
    try {
      const bearer = await token();
      const response = await server().post('/').set('authorization', `Bearer ${bearer}`);
      expect(response.status).toBe(status);
      expect(response.body).toEqual({ error: expect.stringMatching(reason) });
      for (const segment of bearer.split('.'))
        expect(`${response.text}${JSON.stringify(logs.lines())}`).not.toContain(segment);
    } finally {
      logs.restore();
    }
  });

  test.each([
    ['a header that does not decode, and a payload that does not', (h: string, p: string) => `${h}x.${p}x.c2ln`],
    [
      'a header that decodes, and a payload that does not (google-auth-library quotes the header)',
      (h: string, p: string) => `${h}.e30x${p}.c2ln`,
    ],
    [
      'a payload that decodes to claims the library quotes (no issue time)',
      (h: string) =>
        `${h}.${Buffer.from(JSON.stringify({ aud: audience, secret: 'claim-material-42' })).toString('base64url')}.c2ln`,
    ],
  ])('a malformed token (%s) is refused without echoing it', async (_title, make) => {
    const logs = captureLogs();
    try {
      const [h, p] = (await issuer.sign({ email: 'operator@example.com', audience })).split('.') as [string, string];
      const bearer = make(h, p);
      const response = await server().post('/').set('authorization', `Bearer ${bearer}`);
      expect(response.status).toBe(401);
      const seen = `${response.text}${JSON.stringify(logs.lines())}`;
      for (const material of [...bearer.split('.'), 'claim-material-42']) expect(seen).not.toContain(material);
    } finally {
      logs.restore();
    }
  });

  test('an allowed caller gets past authentication (the cluster is unreachable here, so the resync itself fails)', async () => {
    const bearer = await issuer.sign({ email: 'operator@example.com', audience });
    const response = await server().post('/?dryRun=true').set('authorization', `Bearer ${bearer}`);
    expect(response.status).toBe(500);
    expect(response.body.error).not.toMatch(/token|principal/i);
  });

  test('X-Serverless-Authorization is read before Authorization', async () => {
    const good = await issuer.sign({ email: 'operator@example.com', audience });
    const other = await issuer.sign({ email: 'mallory@example.com', audience });
    expect(
      (
        await server()
          .post('/?dryRun=true')
          .set('x-serverless-authorization', `Bearer ${other}`)
          .set('authorization', `Bearer ${good}`)
      ).status,
    ).toBe(403);
    expect(
      (
        await server()
          .post('/?dryRun=true')
          .set('x-serverless-authorization', `Bearer ${good}`)
          .set('authorization', 'Basic dXNlcjpwYXNz')
      ).status,
    ).toBe(500);
  });
});

describe('resync options are parsed strictly: a bad spelling is 400 and nothing runs', () => {
  let bearer: string;
  beforeAll(async () => {
    bearer = await issuer.sign({ email: 'operator@example.com', audience });
  });

  function post(options: OptionsRequest): request.Test {
    const call = request(getTestServer('resync')).post(`/${options.query}`).set('authorization', `Bearer ${bearer}`);
    return options.body ? call.set('content-type', options.body.type).send(options.body.text) : call;
  }

  test.each(REFUSED_OPTIONS)('%s → 400', async (_title, options, message) => {
    const logs = captureLogs();
    try {
      const response = await post(options);
      expect(response.status).toBe(400);
      // A body the Functions Framework's JSON parser refuses (JSON null) never reaches the function at all.
      if (response.type === 'application/json')
        expect(response.body).toEqual({ error: expect.stringMatching(message) });
      // Nothing ran: the resync never asked for the cluster (which, unreachable here, would have made it a 500).
      expect(logs.lines().filter((l) => /^resync (failed|finished)/.test(String(l['message'])))).toEqual([]);
    } finally {
      logs.restore();
    }
  });

  test.each(ACCEPTED_OPTIONS)(
    '%s is accepted (and the resync runs: 500, the cluster being unreachable here)',
    async (_title, options) => {
      expect((await post(options)).status).toBe(500);
    },
  );

  test('the options are read only from an authenticated caller', async () => {
    expect((await request(getTestServer('resync')).post('/?dryRun=yes')).status).toBe(401);
  });
});

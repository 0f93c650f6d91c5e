import { SIGNATURE_REMOVED } from '../../../shared/http/bearer-token.js';
import { verifyCaller } from '../../../shared/http/verify-caller.js';
import { AuthError } from '../../../shared/errors.js';
import type { ResyncAuth } from '../../../shared/config/settings.js';

/**
 * RESYNC_AUTH=cloud-run on its own: what the function accepts of a token Cloud Run's front end checked and stripped,
 * and what it checks itself. (Signatures, and the front, are exercised in test/integration/cloud-run-front.test.ts.)
 */
const AUDIENCE = 'https://resync-unittest-uc.a.run.app';
const OPERATOR = 'operator@example.com';
const SCHEDULER = 'scheduler@test-project.iam.gserviceaccount.com';
const settings: ResyncAuth = {
  mode: 'cloud-run',
  audience: AUDIENCE,
  allowedPrincipals: [OPERATOR, SCHEDULER],
  schedulerPrincipal: SCHEDULER,
};
const NOW = Date.parse('2026-06-01T12:00:00Z');
const now = NOW / 1000;

const segment = (value: unknown): string =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
const HEADER = { alg: 'RS256', kid: 'k1', typ: 'JWT' };
function claims(more: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    iss: 'https://accounts.google.com',
    aud: AUDIENCE,
    sub: '1',
    email: OPERATOR,
    email_verified: true,
    iat: now - 10,
    exp: now + 3590,
    ...more,
  };
}
const stripped = (payload: unknown = claims(), header: unknown = HEADER): string =>
  `Bearer ${segment(header)}.${segment(payload)}.${SIGNATURE_REMOVED}`;
const signed = (payload: unknown = claims()): string => `Bearer ${segment(HEADER)}.${segment(payload)}.c2lnbmF0dXJl`;

const check = (headers: { authorization?: string; serverlessAuthorization?: string }) =>
  verifyCaller(headers, settings, NOW);

describe('RESYNC_AUTH=cloud-run', () => {
  test.each<[string, { authorization?: string; serverlessAuthorization?: string }, string, boolean]>([
    ['a stripped token in Authorization', { authorization: stripped() }, OPERATOR, false],
    ["the Scheduler's token (scheduled)", { authorization: stripped(claims({ email: SCHEDULER })) }, SCHEDULER, true],
    ['a stripped token in X-Serverless-Authorization', { serverlessAuthorization: stripped() }, OPERATOR, false],
    [
      "X-Serverless-Authorization, with the caller's own Authorization (any scheme) beside it",
      { serverlessAuthorization: stripped(), authorization: 'Basic dXNlcjpwYXNz' },
      OPERATOR,
      false,
    ],
    [
      'the issuer spelled without scheme',
      { authorization: stripped(claims({ iss: 'accounts.google.com' })) },
      OPERATOR,
      false,
    ],
    [
      'a token that expired within the clock skew',
      { authorization: stripped(claims({ exp: now - 30 })) },
      OPERATOR,
      false,
    ],
    ['a lower-case bearer scheme', { authorization: stripped().replace('Bearer', 'bearer') }, OPERATOR, false],
  ])('accepts %s', async (_title, headers, email, scheduled) => {
    await expect(check(headers)).resolves.toEqual({ email, scheduled });
  });

  test.each<[string, { authorization?: string; serverlessAuthorization?: string }, 401 | 403, RegExp]>([
    ['no token', {}, 401, /identity token is required/],
    [
      'a token with its signature (it did not come through Cloud Run)',
      { authorization: signed() },
      401,
      /still has its signature/,
    ],
    [
      'an intact X-Serverless-Authorization, whatever Authorization holds',
      { serverlessAuthorization: signed(), authorization: stripped() },
      401,
      /X-Serverless-Authorization still has its signature/,
    ],
    [
      'a malformed X-Serverless-Authorization, whatever Authorization holds',
      { serverlessAuthorization: 'Bearer nope', authorization: stripped() },
      401,
      /malformed X-Serverless-Authorization/,
    ],
    [
      'two segments',
      { authorization: `Bearer ${segment(HEADER)}.${segment(claims())}` },
      401,
      /malformed Authorization/,
    ],
    ['not a bearer token', { authorization: 'Basic dXNlcjpwYXNz' }, 401, /malformed Authorization/],
    [
      'an oversized token',
      { authorization: stripped(claims({ pad: 'x'.repeat(10_000) })) },
      401,
      /malformed Authorization/,
    ],
    ['a header that is not JSON', { authorization: stripped(claims(), 'not json') }, 401, /malformed/],
    ['claims that are not JSON', { authorization: stripped('{"aud":') }, 401, /malformed/],
    ['claims that are an array', { authorization: stripped([claims()]) }, 401, /malformed/],
    ['no audience', { authorization: stripped(claims({ aud: undefined })) }, 401, /malformed/],
    ['an audience list', { authorization: stripped(claims({ aud: [AUDIENCE] })) }, 401, /malformed/],
    [
      'another audience',
      { authorization: stripped(claims({ aud: 'https://other-unittest-uc.a.run.app' })) },
      401,
      /wrong audience/,
    ],
    [
      'the audience with a trailing slash',
      { authorization: stripped(claims({ aud: `${AUDIENCE}/` })) },
      401,
      /wrong audience/,
    ],
    [
      'another issuer',
      { authorization: stripped(claims({ iss: 'https://evil.example.com' })) },
      401,
      /not issued by Google/,
    ],
    [
      'an expiry that is not a number',
      { authorization: stripped(claims({ exp: String(now + 60) })) },
      401,
      /malformed/,
    ],
    ['an expired token', { authorization: stripped(claims({ exp: now - 120 })) }, 401, /expired/],
    [
      'a token issued in the future',
      { authorization: stripped(claims({ iat: now + 120, exp: now + 3600 })) },
      401,
      /issued in the future/,
    ],
    ['a lifetime beyond a day', { authorization: stripped(claims({ exp: now + 2 * 86_400 })) }, 401, /lifetime/],
    ['an unverified email', { authorization: stripped(claims({ email_verified: false })) }, 403, /no verified email/],
    ['email_verified as a string', { authorization: stripped(claims({ email_verified: 'true' })) }, 401, /malformed/],
    ['no email_verified', { authorization: stripped(claims({ email_verified: undefined })) }, 403, /no verified email/],
    ['no email', { authorization: stripped(claims({ email: undefined })) }, 403, /no verified email/],
    [
      'a principal that is not listed',
      { authorization: stripped(claims({ email: 'mallory@example.com' })) },
      403,
      /not in RESYNC_ALLOWED_PRINCIPALS/,
    ],
    [
      'an email that is not one',
      { authorization: stripped(claims({ email: 'operator@example.com operator@example.com' })) },
      403,
      /no verified email/,
    ],
  ])('refuses %s', async (_title, headers, status, message) => {
    const refusal = check(headers);
    await expect(refusal).rejects.toBeInstanceOf(AuthError);
    await expect(refusal).rejects.toMatchObject({ status, message: expect.stringMatching(message) });
  });

  test('a refusal never quotes the token', async () => {
    const token = stripped(claims({ aud: 'https://other.example', email: 'x-claim-material@example.com' }));
    const error = (await check({ authorization: token }).catch((e: unknown) => e)) as AuthError;
    for (const part of token.slice('Bearer '.length).split('.').slice(0, 2)) expect(error.message).not.toContain(part);
    expect(error.message).not.toContain('x-claim-material');
  });

  test("what it trusts: a stripped token is taken as the front's word, so only Cloud Run's front end may reach the function", async () => {
    // Anyone can write these bytes; no key is involved. Cloud Run IAM (no allUsers, run.invoker only for the listed
    // principals) is what keeps them from the function: see docs/operations.md, "Who may call resync".
    await expect(check({ authorization: stripped() })).resolves.toEqual({ email: OPERATOR, scheduled: false });
  });
});

import { jest } from '@jest/globals';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import fc from 'fast-check';
import request from 'supertest';
import { BASE_ENV } from '../../dev/fixtures/settings.js';
import { captureLogs } from '../support/capture-logs.js';
import { resyncCase, type Credentials, type ResyncCase } from '../support/fuzz/resync-request-cases.js';
import { startTokenIssuer, type TokenIssuer } from '../../dev/harness/id-tokens.js';

/**
 * Generated resync requests through the real Functions Framework: odd methods, query strings, bodies and credentials.
 * A refused request is 401/403/405/400 with a JSON error and runs nothing; a resync runs only for an allowed caller
 * and options without a defect (here it then fails, the cluster being unreachable: 500, never a 200); nothing of a
 * presented token is echoed in the answer or the log.
 */
let issuer: TokenIssuer;
let logs: ReturnType<typeof captureLogs>;
const tokens: Record<'allowed' | 'forbidden', string> = { allowed: '', forbidden: '' };

beforeAll(async () => {
  issuer = await startTokenIssuer();
  Object.assign(process.env, BASE_ENV, {
    ID_TOKEN_CERTS_URL: issuer.certsUrl,
    MEMORYSTORE_API_ENDPOINT: '127.0.0.1:9',
    MEMORYSTORE_API_PLAINTEXT: 'true',
  });
  await import('../../functions/index.js');
  const audience = BASE_ENV['RESYNC_AUDIENCE']!;
  tokens.allowed = await issuer.sign({ email: 'operator@example.com', audience });
  tokens.forbidden = await issuer.sign({ email: 'mallory@example.com', audience });
  logs = captureLogs();
  jest.spyOn(console, 'error').mockImplementation(() => undefined);
});
afterAll(async () => {
  logs.restore();
  await issuer.close();
});

function headerFor(credentials: Credentials): Record<string, string> {
  if (credentials.kind === 'garbage') return { [credentials.header]: credentials.bearer };
  return credentials.kind === 'none' ? {} : { authorization: `Bearer ${tokens[credentials.kind]}` };
}

function send(generated: ResyncCase): request.Test {
  const server = request(getTestServer('resync'));
  const path = `/${generated.query}`;
  const call = {
    POST: server.post(path),
    GET: server.get(path),
    PUT: server.put(path),
    PATCH: server.patch(path),
    DELETE: server.delete(path),
  }[generated.method].set(headerFor(generated.credentials));
  return generated.body ? call.set('content-type', generated.body.type).send(generated.body.text) : call;
}

/** The status a request must get before its options are even read, or undefined when it reaches them. */
function refusedBeforeOptions(generated: ResyncCase): number | undefined {
  if (generated.method !== 'POST') return 405;
  if (generated.credentials.kind === 'forbidden') return 403;
  return generated.credentials.kind === 'allowed' ? undefined : 401;
}

/** Pieces of a token-shaped credential long enough that finding one in the output means it was echoed. */
function secretPieces(credentials: Credentials): string[] {
  if (credentials.kind !== 'garbage') return [];
  const pieces = credentials.bearer
    .replace(/^\S+ /, '')
    .split('.')
    .filter((p) => p.length >= 12);
  return [
    ...pieces,
    ...pieces.map((p) => Buffer.from(p, 'base64url').toString('utf8')).filter((p) => p.startsWith('secret-material-')),
  ];
}

test('malformed or unauthorised requests are refused with a JSON error and run nothing; nothing is a 200; no token is echoed', async () => {
  const seen = { refused: 0, ran: 0, refusedByFramework: 0 };
  await fc.assert(
    fc.asyncProperty(resyncCase, async (generated) => {
      const mark = logs.lines().length;
      const response = await send(generated);
      const lines = logs.lines().slice(mark);
      const ran = lines.some((l) => /^resync (failed|finished)/.test(String(l['message'])));
      const early = refusedBeforeOptions(generated);
      expect(response.status).not.toBe(200);
      if (ran) {
        seen.ran++;
        expect([early, generated.shape]).toEqual([undefined, expect.stringMatching(/^(well-formed|random)$/)]);
        expect(response.status).toBe(500);
      } else if (lines.length === 0 && response.status === 400 && response.type !== 'application/json') {
        // The Functions Framework's body-parser refused a body it cannot parse (a JSON type with a non-JSON body):
        // the function never ran, whoever the caller.
        seen.refusedByFramework++;
        expect(generated.body).toBeDefined();
      } else {
        seen.refused++;
        expect(generated.shape === 'well-formed' && early === undefined).toBe(false);
        expect(response.status).toBe(early ?? 400);
        expect(response.body).toEqual({ error: expect.any(String) });
      }
      const output = `${response.text}${JSON.stringify(lines)}`;
      for (const piece of secretPieces(generated.credentials)) expect(output).not.toContain(piece);
    }),
    { numRuns: 700 },
  );
  expect(seen.ran).toBeGreaterThan(50);
  expect(seen.refused).toBeGreaterThan(200);
}, 120_000);

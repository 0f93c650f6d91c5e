import { parseResyncOptions, type OptionsInput } from '../../../shared/http/resync-options.js';
import { ACCEPTED_OPTIONS, REFUSED_OPTIONS, type OptionsRequest } from '../../fixtures/resync-options.js';

/** The body as the Functions Framework's parsers would hand it over. */
function parsedBody(body: OptionsRequest['body']): unknown {
  if (!body) return undefined;
  if (body.type === 'application/json') return JSON.parse(body.text);
  if (body.type === 'application/x-www-form-urlencoded') return Object.fromEntries(new URLSearchParams(body.text));
  return body.text;
}

function input(request: OptionsRequest): OptionsInput {
  return {
    url: `/${request.query}`,
    body: parsedBody(request.body),
    ...(request.body ? { rawBody: Buffer.from(request.body.text), contentType: request.body.type } : {}),
  };
}

describe('parseResyncOptions', () => {
  test.each(REFUSED_OPTIONS)('refuses %s', (_title, request, message) => {
    expect(parseResyncOptions(input(request))).toEqual({ ok: false, error: expect.stringMatching(message) });
  });

  test.each(ACCEPTED_OPTIONS)('accepts %s', (_title, request, options) => {
    expect(parseResyncOptions(input(request))).toEqual({ ok: true, options });
  });

  test('a refusal never quotes more than a few dozen characters of the request', () => {
    const result = parseResyncOptions({ url: `/?${'a'.repeat(100_000)}=1`, body: undefined });
    expect(result.ok).toBe(false);
    expect(JSON.stringify(result).length).toBeLessThan(200);
  });

  test('an empty body with a JSON content type is no options', () => {
    expect(
      parseResyncOptions({ url: '/?dryRun=true', body: {}, rawBody: Buffer.alloc(0), contentType: 'application/json' }),
    ).toEqual({ ok: true, options: { dryRun: true, force: false } });
  });
});

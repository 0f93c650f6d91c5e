import fc from 'fast-check';
import { hostileValue, PROTOTYPE_KEYS } from '../../../dev/fuzz/hostile-values.js';

/** Who the request claims to be: a good token, none, one of a principal not allowed, or something token-shaped. */
export type Credentials =
  | { readonly kind: 'allowed' | 'forbidden' | 'none' }
  | { readonly kind: 'garbage'; readonly header: string; readonly bearer: string };

/**
 * A generated resync request. `shape` says what it is by construction: `well-formed` (only the accepted options,
 * each once, exactly `true` or `false`, no body), `malformed` (at least one defect in the query), or `random`.
 */
export interface ResyncCase {
  readonly method: 'POST' | 'GET' | 'PUT' | 'PATCH' | 'DELETE';
  readonly query: string;
  readonly body?: { readonly type: string; readonly text: string } | undefined;
  readonly credentials: Credentials;
  readonly shape: 'well-formed' | 'malformed' | 'random';
}

const option = fc.constantFrom('dryRun', 'force');
const exact = fc.constantFrom('true', 'false');
const wellFormedParams = fc
  .uniqueArray(fc.tuple(option, exact), { maxLength: 2, selector: ([name]) => name })
  .map((pairs) => pairs.map(([n, v]) => `${n}=${v}`));

/** One defect the parser must refuse: an unknown name, a value not exactly true/false, a bare or repeated option. */
const defect = fc.oneof(
  fc
    .tuple(
      fc.oneof(
        fc.constantFrom('dryrun', 'dry_run', 'DryRun', 'dryRun[]', ...PROTOTYPE_KEYS),
        fc.string({ minLength: 1, maxLength: 12 }).filter((s) => !['dryRun', 'force'].includes(s)),
      ),
      exact,
    )
    .map(([n, v]) => [`${encodeURIComponent(n)}=${v}`]),
  fc
    .tuple(
      option,
      fc.oneof(
        fc.constantFrom('True', 'TRUE', '1', '0', 'yes', '', 'on', 'true ', '%20true'),
        fc.string({ maxLength: 8 }).filter((s) => s !== 'true' && s !== 'false'),
      ),
    )
    .map(([n, v]) => [`${n}=${v.startsWith('%') ? v : encodeURIComponent(v)}`]),
  option.map((n) => [n]),
  fc.tuple(option, exact, exact).map(([n, a, b]) => [`${n}=${a}`, `${n}=${b}`]),
);

const malformedQuery = fc
  .tuple(wellFormedParams, defect)
  .chain(([good, bad]) => fc.shuffledSubarray([...good, ...bad], { minLength: good.length + bad.length }));
const randomQuery = fc.oneof(
  fc.string({ maxLength: 40 }).map(encodeURI),
  fc
    .array(fc.constantFrom('&', '=', '%', '%zz', '+', 'dryRun', 'force', 'true', '?', '#'), { maxLength: 8 })
    .map((parts) => parts.join('')),
);

const body = fc.record({
  type: fc.constantFrom(
    'application/json',
    'text/plain',
    'application/x-www-form-urlencoded',
    'application/octet-stream',
    'application/json; charset=utf-8',
  ),
  text: fc.oneof(
    hostileValue.map((v) => JSON.stringify(v) ?? 'null'),
    fc.string({ maxLength: 40 }),
  ),
});

/** Token-shaped text carrying a secret, so a test can look for any of it echoed back. */
const garbage: fc.Arbitrary<Credentials> = fc
  .tuple(
    fc.constantFrom('authorization', 'x-serverless-authorization'),
    fc.constantFrom('Bearer ', 'bearer ', 'Basic ', ''),
    fc.array(fc.base64String({ minLength: 12, maxLength: 40 }), { minLength: 1, maxLength: 4 }),
    fc.nat(9999),
  )
  .map(([header, scheme, segments, n]) => ({
    kind: 'garbage',
    header,
    bearer: `${scheme}${[...segments, Buffer.from(`secret-material-${n}`).toString('base64url')].join('.')}`,
  }));

const credentials: fc.Arbitrary<Credentials> = fc.oneof(
  { weight: 6, arbitrary: fc.constant({ kind: 'allowed' } as const) },
  { weight: 1, arbitrary: fc.constant({ kind: 'forbidden' } as const) },
  { weight: 1, arbitrary: fc.constant({ kind: 'none' } as const) },
  { weight: 2, arbitrary: garbage },
);
const method = fc.oneof(
  { weight: 9, arbitrary: fc.constant('POST' as const) },
  { weight: 1, arbitrary: fc.constantFrom('GET' as const, 'PUT' as const, 'PATCH' as const, 'DELETE' as const) },
);
const asQuery = (params: string[]): string => (params.length ? `?${params.join('&')}` : '');

export const resyncCase: fc.Arbitrary<ResyncCase> = fc.oneof(
  fc.record({ method, credentials, query: wellFormedParams.map(asQuery), shape: fc.constant('well-formed' as const) }),
  fc.record({
    method,
    credentials,
    query: malformedQuery.map(asQuery),
    body: fc.option(body, { nil: undefined }),
    shape: fc.constant('malformed' as const),
  }),
  fc.record({
    method,
    credentials,
    query: randomQuery.map((q) => `?${q}`),
    body: fc.option(body, { nil: undefined }),
    shape: fc.constant('random' as const),
  }),
);

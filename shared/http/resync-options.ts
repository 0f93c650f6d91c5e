import * as z from 'zod';
import type { ResyncOptions } from '../reconcile/resync.js';

/**
 * The options of one resync call, parsed strictly: a resync that writes must be unmistakable. Accepted spellings:
 * - query string: `dryRun` and `force`, each at most once, with the value `true` or `false` exactly;
 * - body (optional): a JSON object (`Content-Type: application/json`) with `dryRun` and `force` as JSON booleans.
 * Anything else is refused (HTTP 400): another parameter or key (`dryrun`, `dry_run`), another value (`True`, `1`,
 * `yes`, empty, bare), a repeated parameter, a body that is not a JSON object, or query and body disagreeing.
 */
export type ParsedOptions =
  { readonly ok: true; readonly options: ResyncOptions } | { readonly ok: false; readonly error: string };

export interface OptionsInput {
  /** The request target as received (`/path?query`). */
  readonly url: string;
  /** The raw body, if any. */
  readonly rawBody?: Buffer | undefined;
  readonly contentType?: string | undefined;
  /** The body as the Functions Framework parsed it. */
  readonly body: unknown;
}

const NAMES = ['dryRun', 'force'] as const;
type Name = (typeof NAMES)[number];
type Given = { [K in Name]?: boolean | undefined };

const bodySchema = z.strictObject({ dryRun: z.boolean().optional(), force: z.boolean().optional() });
const MAX_QUOTED = 40;
const BODY_ENTRY = /"(dryRun|force)"\s*:\s*(true|false)/g;

/** A name from the request, quoted for a message: capped, so hostile input cannot grow a response or a log line. */
function quote(value: string): string {
  return JSON.stringify(value.length > MAX_QUOTED ? `${value.slice(0, MAX_QUOTED)}…` : value);
}

function fromQuery(url: string): Given | string {
  const params = URL.canParse(url, 'http://resync.invalid')
    ? new URL(url, 'http://resync.invalid').searchParams
    : undefined;
  if (!params) return 'malformed request target';
  const seen: Given = {};
  for (const [name, value] of params) {
    if (!(NAMES as readonly string[]).includes(name))
      return `unknown query parameter ${quote(name)} (accepted: dryRun, force)`;
    const key = name as Name;
    if (seen[key] !== undefined) return `query parameter ${key} is given more than once`;
    if (value !== 'true' && value !== 'false') return `query parameter ${key} must be exactly true or false`;
    seen[key] = value === 'true';
  }
  return seen;
}

function schemaError(issues: readonly z.core.$ZodIssue[]): string {
  const unknown = issues.find((issue) => issue.code === 'unrecognized_keys');
  if (unknown?.code === 'unrecognized_keys')
    return `unknown body key ${quote(unknown.keys[0] ?? '')} (accepted: dryRun, force)`;
  return 'the body must be a JSON object whose dryRun and force are JSON booleans (true or false)';
}

/**
 * JSON.parse keeps the last of repeated keys and decodes escaped ones: the raw text must give each option once,
 * spelled literally, with the value that was parsed.
 */
function literallyOnce(raw: Buffer, parsed: Given): boolean {
  const literal = [...raw.toString('utf8').matchAll(BODY_ENTRY)].map(([, name, value]) => ({
    name: name as Name,
    value: value === 'true',
  }));
  const names = new Set(literal.map((entry) => entry.name));
  return (
    literal.length === Object.keys(parsed).length &&
    names.size === literal.length &&
    literal.every(({ name, value }) => parsed[name] === value)
  );
}

function fromBody(input: OptionsInput): Given | string {
  if (!input.rawBody || input.rawBody.length === 0) return {};
  if (!/^application\/json\s*(;|$)/i.test(input.contentType ?? ''))
    return 'a request body must be a JSON object (Content-Type: application/json)';
  const parsed = bodySchema.safeParse(input.body);
  if (!parsed.success) return schemaError(parsed.error.issues);
  return literallyOnce(input.rawBody, parsed.data) ? parsed.data : 'each body key must appear once, spelled literally';
}

/** Merges the query and the body: each option may come from either, and must agree when it comes from both. */
export function parseResyncOptions(input: OptionsInput): ParsedOptions {
  const query = fromQuery(input.url);
  if (typeof query === 'string') return { ok: false, error: query };
  const body = fromBody(input);
  if (typeof body === 'string') return { ok: false, error: body };
  const conflict = NAMES.find(
    (name) => query[name] !== undefined && body[name] !== undefined && query[name] !== body[name],
  );
  if (conflict) return { ok: false, error: `${conflict} is given in the query and the body with different values` };
  return {
    ok: true,
    options: { dryRun: query.dryRun ?? body.dryRun ?? false, force: query.force ?? body.force ?? false },
  };
}

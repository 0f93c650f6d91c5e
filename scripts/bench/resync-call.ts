import { request } from 'undici';
import type { TokenIssuer } from '../../dev/harness/id-tokens.js';

export const RESYNC_AUDIENCE = 'https://bench.local/resync';
export const OPERATOR = 'operator@example.com';

export interface ResyncAnswer {
  readonly status: number;
  readonly summary: Record<string, number>;
  readonly errors: ReadonlyArray<{ instance?: string; message?: string }>;
  readonly error?: string;
}

/**
 * One authenticated call of the resync function, as Cloud Scheduler or an operator makes it. The phase's signal is its
 * only deadline: fetch() would give up after undici's default 300 s without an answer's headers, and a resync of
 * 20,000 gateway ports on a slow machine takes longer (it failed so with "fetch failed" while its writes went on).
 */
export async function callResync(url: string, issuer: TokenIssuer, signal: AbortSignal): Promise<ResyncAnswer> {
  const token = await issuer.sign({ email: OPERATOR, audience: RESYNC_AUDIENCE });
  const response = await request(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    signal,
    headersTimeout: 0,
    bodyTimeout: 0,
  });
  const body = (await response.body.json().catch(() => ({}))) as Partial<ResyncAnswer>;
  return {
    status: response.statusCode,
    summary: body.summary ?? {},
    errors: body.errors ?? [],
    ...(typeof body.error === 'string' ? { error: body.error } : {}),
  };
}

/** Why a resync answer is not a success, or undefined when it is (200 and no instance errors). */
export function resyncFailure(answer: ResyncAnswer): string | undefined {
  if (answer.status !== 200) return `HTTP ${answer.status}: ${answer.error ?? 'no error message'}`;
  if (answer.errors.length > 0)
    return `${answer.errors.length} instance errors, e.g. ${answer.errors[0]?.message ?? '?'}`;
  return undefined;
}
